"""`incidents import`: PagerDuty, Opsgenie and Grafana OnCall schedules as config/schedules.yaml (issue #16 §7).

One module per vendor, each with the marshmallow schema of its export (the lists its REST API answers,
under the API's own names) and `convert(export, people, now) -> Imported`; `rotations` holds what they share,
`yaml_form` writes the result. Pure: the export and people.yaml in, our dataclasses out.
"""

from settings.imports import grafana_oncall, opsgenie, pagerduty
from settings.imports.imported import BadExport, Imported, Notes

VENDORS = {"pagerduty": pagerduty, "opsgenie": opsgenie, "grafana-oncall": grafana_oncall}

__all__ = ["VENDORS", "BadExport", "Imported", "Notes"]
