"""The owner's home and reports: front desk sees the counts, the owner also money and health.

Each report is a chart and the table it is drawn from, and the same table as CSV.
"""

import csv
from datetime import timedelta
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from bookings.staff.common import requires
from owner import charts, reports
from owner.forms import PeriodForm
from studio import permissions
from studio.timezones import studio_tz

reports_required = requires(permissions.can_view_reports, sign_in=True)
# Reports that only the owner reads: money, and screening outcomes (health data, counted).
OWNER_ONLY = {
    "revenue": permissions.can_see_report_money,
    "screening": permissions.can_see_report_health,
}


def _visible(user) -> list[str]:
    return [key for key in reports.REPORTS if key not in OWNER_ONLY or OWNER_ONLY[key](user)]


@reports_required
@require_safe
def home(request):
    return render(
        request,
        "owner/home.html",
        {
            "today": reports.today_figures(),
            "reports": [(key, reports.TITLES[key]) for key in _visible(request.user)],
        },
    )


@reports_required
@require_safe
def report(request, key):
    if key not in _visible(request.user):
        raise Http404
    today = timezone.localdate(timezone.now(), studio_tz())
    breakdowns = reports.REPORT_BREAKDOWNS[key]
    default = {
        "first": today - timedelta(days=27),
        "last": today,
        "by": breakdowns[0] if breakdowns else "",
    }
    asked = request.GET.copy()
    asked.pop("format", None)
    form = PeriodForm(
        {**default, **asked.dict()} if asked else None,
        initial=default,
        breakdowns=breakdowns,
        labels=reports.BREAKDOWNS,
    )
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else default
    period = reports.Period(chosen["first"], chosen["last"])
    kwargs = {"by": chosen["by"] or breakdowns[0]} if breakdowns else {}
    shown = reports.REPORTS[key](period, **kwargs)
    if request.GET.get("format") == "csv":
        return _csv(shown, period)
    return render(
        request,
        "owner/report.html",
        {
            "form": form,
            "report": shown,
            "chart": charts.bar_chart(shown),
            "period": period,
            "table": [
                (label, [shown.shown(index, value) for index, value in enumerate(values)])
                for label, values in shown.rows
            ],
            "csv_query": _csv_query(request),
        },
    )


def _csv_query(request) -> str:
    query = request.GET.copy()
    query["format"] = "csv"
    return query.urlencode()


def _csv(report: reports.Report, period: reports.Period) -> HttpResponse:
    """The report's table as CSV: UTF-8 with a byte-order mark, which spreadsheets read."""
    name = f"calma-{report.key}-{period.first:%Y-%m-%d}-{period.last:%Y-%m-%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(report.columns)
    for label, values in report.rows:
        writer.writerow([label, *("" if value is None else _plain(value) for value in values)])
    return response


def _plain(value) -> str:
    """Write a figure as spreadsheets read it in any language: a dot, two decimals at most."""
    if isinstance(value, float | Decimal):
        return f"{value:.2f}"
    return str(value)
