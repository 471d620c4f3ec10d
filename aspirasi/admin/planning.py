"""Admin for planning cycles, programs and the planner dashboard."""
