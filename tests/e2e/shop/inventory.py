"""inventory-svc code paths: a custom exception and an arithmetic bug."""


class StockUnavailableError(Exception):
    """Raised when a reservation asks for more units than are left."""


def reserve_stock(sku, wanted, left):
    if wanted > left:
        raise StockUnavailableError(f"sku {sku} has {left} units left, wanted {wanted}")
    return left - wanted


def fill_ratio(reserved, capacity):
    return reserved / capacity


def handle_reserve(sku, wanted, left):
    return reserve_stock(sku, wanted, left)


def handle_report(reserved, capacity):
    return {"ratio": fill_ratio(reserved, capacity)}
