"""The fixture course's tests run inside exported editions and grading trees, not here."""

collect_ignore = ["course"]
