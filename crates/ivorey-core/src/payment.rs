//! Payments: orders with line items, manual payment transactions, ISO 4217 currencies.
