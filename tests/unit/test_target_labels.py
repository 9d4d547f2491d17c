"""The incident page's target labels say their limits as every page does (incidents.durations.spoken)."""

from incidents.severity import Severity
from web.channel_view import _label


def test_target_labels_say_their_limit_as_the_rest_of_the_product(catalog):
    targets = catalog.targets_for("production-api")
    assert _label("response", Severity.SEV3, targets) == "Response target (SEV3, 2 h)"
    assert _label("recovery", Severity.SEV3, targets) == "Recovery target (SEV3, 24 h)"  # was "1 days"
    assert _label("response", Severity.SEV1, targets) == "Response target (SEV1, 15 min)"
