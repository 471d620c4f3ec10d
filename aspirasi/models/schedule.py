from django.db import models


class ScheduledRun(models.Model):
    """One periodic job enqueued for one period (aspirasi/schedule.py). The unique pair is the lock that
    makes several scheduler processes, on as many machines, enqueue each job once per period."""

    job = models.CharField(max_length=64)
    period_start = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "period_start"], name="scheduled_run_once")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.period_start:%Y-%m-%d %H:%M}"
