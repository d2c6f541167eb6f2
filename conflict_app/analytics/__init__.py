"""Analytics for analysts: loss rates, mitigation effectiveness, de-identified views."""
