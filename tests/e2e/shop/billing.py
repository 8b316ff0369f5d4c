"""billing-worker code paths: a timeout and a parsing bug with the same type as one in checkout."""


def charge_card(charge_id, elapsed_ms):
    raise TimeoutError(f"charge {charge_id} timed out after {elapsed_ms} ms")


def parse_amount(raw):
    # Same exception type (ValueError) as checkout.parse_quantity, different code path.
    cents = float(raw) * 100
    return int(cents)


def process_charge(charge_id, elapsed_ms):
    return charge_card(charge_id, elapsed_ms)


def process_invoice_line(raw):
    return parse_amount(raw)
