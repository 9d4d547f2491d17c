"""The incident channel as the issue shows it, for the test that renders it from objects
(tests/unit/test_channel.py) and the one that fills it through the API (tests/integration/test_lifecycle_api.py)."""


def issue_template(number: int) -> str:
    return f"""#inc-{number}: Payment Service Outage

**Status**: 🔴 SEV1 - Investigating
**Impact**: All payment processing failing
**Commander**: @alice (SRE)
**Affected**: payment-service

**Timeline**:
- 10:30 - Alert triggered (PagerDuty)
- 10:32 - On-call acknowledged
- 10:35 - Incident channel created
- 10:40 - Identified DB connection pool exhaustion

**Actions**:
- [x] Enabled circuit breaker on payment service
- [ ] Rolling restart of payment pods
- [ ] Scaling up DB connections

**Updates**:
- 10:45: Mitigation in progress
- ETA: 15 minutes
"""
