"""Working days, holidays, make-up days and deadline computation with its Vietnamese trace.

``workdays.WorkCalendar`` says which days are working days; ``deadlines.compute_deadline``
counts a period from an event (Bộ luật Dân sự 2015 Arts. 147–148). The administrator's days
are stored by ``desktop.storage.calendar_repo``.
"""

from desktop.calendar.deadlines import WEEKDAYS_VI, Deadline, compute_deadline, format_date
from desktop.calendar.workdays import CalendarEntry, WorkCalendar

__all__ = ["WEEKDAYS_VI", "CalendarEntry", "Deadline", "WorkCalendar", "compute_deadline", "format_date"]
