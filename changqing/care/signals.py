"""Signals care sends for apps above it (care imports none of them)."""
from django.dispatch import Signal

# Sent by services.visit_record after a visit is saved, inside its transaction: visit=<Visit>.
# lifeevents closes the person's open visit tasks (a hospital stay's 探望任务).
visit_recorded = Signal()
