"""Marketing and sales as one process: lead handover with its audit trail, service levels for
responding to leads, feedback on marketing's leads, the funnel planned backwards from a
target, and the joint monthly scorecard of marketing and sales."""
