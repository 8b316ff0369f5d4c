"""checkout-api code paths: each function fails with a real Python exception."""

CARTS = {"cart-1": ["sku-1"]}


def lookup_cart(cart_id):
    # A missing key is the bug: callers pass ids of carts that expired.
    return CARTS[cart_id]


def parse_quantity(raw):
    return int(raw)


def handle_get_cart(cart_id):
    items = lookup_cart(cart_id)
    return {"items": items}


def handle_add_item(raw_quantity):
    quantity = parse_quantity(raw_quantity)
    return {"quantity": quantity}
