"""A-2 identity verification: the client uploads its document (front, back) and a selfie and gives its legal name
and tax id; staff approve or reject with a reason; approval emits `ClientVerified` for the services that gate on it
(P-6 transfers, F-3 withdrawals, international domains)."""
