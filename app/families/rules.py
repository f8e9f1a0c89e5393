"""Family rules as plain values: the PKH payment cap (the components themselves are in graduation.rules)."""

MAX_PAID_COMPONENTS = 4
