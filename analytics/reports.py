"""Daily and weekly service reports: report.html (Chinese, self-contained: the charts are
embedded as data URIs and also written next to it), kpis.csv and four PNG charts drawn with
matplotlib in the Noto Sans CJK font (Debian: fonts-noto-cjk)."""

from __future__ import annotations

import base64
import csv
import html
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.choices import ReportKind
from analytics.models import Incident, Report

CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Zen Hei",
             "Source Han Sans SC"]
KPI_LABELS = [  # key, Chinese label, format
    ("volume", "工单量", "{:d}"), ("closed", "已关闭", "{:d}"),
    ("resolution_rate", "解决率", "pct"),
    ("first_response_minutes", "平均首次响应（分钟）", "{:.1f}"),
    ("handling_minutes", "平均处理时长（分钟）", "{:.1f}"),
    ("response_sla", "响应 SLA 达成率", "pct"),
    ("resolution_sla", "解决 SLA 达成率", "pct"), ("reopen_rate", "二次投诉率", "pct"),
    ("csat_average", "满意度均分", "{:.2f}"), ("csat_response_rate", "满意度回收率", "pct"),
    ("bot_self_service_rate", "机器人自助解决率", "pct"), ("handoff_rate", "转人工率", "pct"),
    ("routing_acceptance", "首次分派接受率", "pct"), ("agent_utilisation", "坐席负载率", "pct"),
]
PRIORITIES = ("P0", "P1", "P2", "P3")


@dataclass
class Period:
    kind: str
    start: datetime
    end: datetime
    trend_start: datetime

    @property
    def anomaly_start(self) -> datetime:
        """The timeline shows the period and the one before it (incidents that led into it)."""
        return self.start - (self.end - self.start)

    @property
    def title(self) -> str:
        first = timezone.localtime(self.start).date()
        last = timezone.localtime(self.end - timedelta(seconds=1)).date()
        if self.kind == ReportKind.DAILY:
            return f"客服日报 {first:%Y-%m-%d}"
        return f"客服周报 {first:%Y-%m-%d} 至 {last:%Y-%m-%d}"


def period_for(kind: str, day: date) -> Period:
    """Daily: that local day. Weekly: the Monday–Sunday week containing it. The trend chart
    covers the 14 days (daily) or 8 weeks (weekly) up to the period's end."""
    tz = timezone.get_current_timezone()
    if kind == ReportKind.DAILY:
        start = datetime.combine(day, time(0), tz)
        end = start + timedelta(days=1)
        trend = end - timedelta(days=14)
    else:
        monday = day - timedelta(days=day.weekday())
        start = datetime.combine(monday, time(0), tz)
        end = start + timedelta(days=7)
        trend = end - timedelta(weeks=8)
    return Period(kind, start, end, trend)


def _font():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, rcParams

    names = {f.name for f in font_manager.fontManager.ttflist}
    chosen = [n for n in CJK_FONTS if n in names]
    rcParams["font.sans-serif"] = [*chosen, "DejaVu Sans"]
    rcParams["font.family"] = "sans-serif"
    rcParams["axes.unicode_minus"] = False
    return chosen[0] if chosen else None


def MaxNLocator(**kwargs):  # noqa: N802 - matplotlib's class, imported lazily
    from matplotlib.ticker import MaxNLocator as locator

    return locator(**kwargs)


def _save(fig, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)


def _volume_chart(volumes, period: Period, path: Path) -> None:
    import matplotlib.pyplot as plt

    days, counts = [], []
    by_day = dict(volumes)
    day = timezone.localtime(period.trend_start).date()
    last = timezone.localtime(period.end - timedelta(seconds=1)).date()
    while day <= last:
        days.append(day)
        counts.append(by_day.get(day, 0))
        day += timedelta(days=1)
    first = timezone.localtime(period.start).date()
    fig, ax = plt.subplots(figsize=(9, 3.8))
    colors = ["#1f6feb" if d >= first else "#9db7e0" for d in days]
    ax.bar(range(len(days)), counts, color=colors)
    step = max(1, len(days) // 14)
    ax.set_xticks(range(0, len(days), step))
    ax.set_xticklabels([f"{d:%m-%d}" for d in days][::step], rotation=45, ha="right")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("工单量趋势（深色为本期）")
    ax.set_ylabel("新建工单数")
    ax.grid(axis="y", alpha=0.3)
    for i, n in enumerate(counts):
        if n and len(days) <= 31:
            ax.annotate(str(n), (i, n), ha="center", va="bottom", fontsize=8)
    _save(fig, path)


def _sla_chart(by_priority: dict, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.8))
    xs = range(len(PRIORITIES))
    width = 0.38
    for offset, key, label, color in ((-width / 2, "response_sla", "响应", "#2da44e"),
                                      (width / 2, "resolution_sla", "解决", "#bf8700")):
        values = [(by_priority.get(p, {}).get(key) or 0) * 100 for p in PRIORITIES]
        bars = ax.bar([x + offset for x in xs], values, width, label=label, color=color)
        for bar, p in zip(bars, PRIORITIES, strict=True):
            raw = by_priority.get(p, {}).get(key)
            text = "—" if raw is None else f"{raw * 100:.0f}%"
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=9)
    ax.set_xticks(list(xs))
    ax.set_xticklabels(PRIORITIES)
    ax.set_ylim(0, 115)
    ax.set_ylabel("达成率 (%)")
    ax.set_title("各优先级 SLA 达成率")
    ax.legend(loc="upper right", ncols=2, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    _save(fig, path)


def _category_chart(by_category: list[dict], path: Path) -> None:
    import matplotlib.pyplot as plt

    top = sorted(by_category, key=lambda g: -g["volume"])[:10][::-1]
    fig, ax = plt.subplots(figsize=(7, max(2.6, 0.42 * len(top) + 1.2)))
    labels = [g["label"] or g["key"] for g in top]
    values = [g["volume"] for g in top]
    ax.barh(labels, values, color="#8250df")
    for y, v in enumerate(values):
        ax.annotate(str(v), (v, y), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=9)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("工单类别 Top 10")
    ax.set_xlabel("工单数")
    if not top:
        ax.text(0.5, 0.5, "本期无工单", ha="center", va="center", transform=ax.transAxes)
    ax.grid(axis="x", alpha=0.3)
    _save(fig, path)


def _anomaly_chart(incidents: list[Incident], period: Period, path: Path) -> None:
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, max(2.6, 0.5 * len(incidents) + 1.4)))
    tz = timezone.get_current_timezone()
    labels = []
    for y, incident in enumerate(incidents):
        start = max(timezone.localtime(incident.opened_at),
                    timezone.localtime(period.anomaly_start))
        end = timezone.localtime(incident.closed_at or min(period.end, timezone.now()))
        color = "#cf222e" if incident.kind == "stall_cluster" else "#bf8700"
        ax.plot([start, max(end, start + timedelta(hours=1))], [y, y], color=color,
                linewidth=6, solid_capstyle="butt", alpha=0.8)
        ax.annotate(f"{incident.shipments_count or incident.tickets_count} 件",
                    (start, y), xytext=(0, 7), textcoords="offset points", fontsize=8)
        where = incident.location or incident.district
        labels.append(f"{where[:10]} {incident.carrier or incident.category}")
    ax.set_yticks(range(len(incidents)))
    ax.set_yticklabels(labels)
    ax.set_xlim(timezone.localtime(period.anomaly_start), timezone.localtime(period.end))
    if period.kind == ReportKind.DAILY:
        ax.xaxis.set_major_locator(mdates.HourLocator(byhour=[0, 6, 12, 18], tz=tz))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:00", tz=tz))
    else:
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d", tz=tz))
    ax.set_title("批量异常时间线（红：网点滞留，黄：投诉激增）")
    if not incidents:
        ax.text(0.5, 0.5, "期间无批量异常", ha="center", va="center", transform=ax.transAxes)
        ax.set_yticks([])
    ax.set_ylim(-0.8, max(len(incidents), 1) - 0.2)
    ax.grid(axis="x", alpha=0.3)
    _save(fig, path)


def _fmt(value, fmt) -> str:
    if value is None:
        return "—"
    if fmt == "pct":
        return f"{value * 100:.1f}%"
    return fmt.format(value)


def _html(period: Period, kpis: dict, by_category: list, incidents: list, charts: dict,
          out: Path) -> str:
    overall = kpis["overall"]
    rows = "".join(f"<tr><th>{label}</th><td>{_fmt(overall.get(key), fmt)}</td></tr>"
                   for key, label, fmt in KPI_LABELS)
    causes = "".join(
        f"<tr><td>{html.escape(r['label'])}</td><td>{r['tickets']}</td>"
        f"<td>{r['handling_minutes']:.0f}</td><td>{r['vs_median_pct']:+.0f}%</td></tr>"
        for r in kpis["root_causes"] if r["vs_median_pct"] is not None)
    incident_rows = "".join(
        f"<tr><td>{html.escape(i.ticket.number)}</td><td>{i.get_kind_display()}</td>"
        f"<td>{html.escape(i.location or i.district)}</td>"
        f"<td>{html.escape(i.carrier or i.category)}</td><td>{i.shipments_count}</td>"
        f"<td>{i.tickets_count}</td><td>{i.notified_count}</td>"
        f"<td>{i.get_status_display()}</td></tr>" for i in incidents)
    images = "".join(
        f'<figure><img alt="{html.escape(title)}" src="data:image/png;base64,'
        f'{base64.b64encode((out / name).read_bytes()).decode()}">'
        f'<figcaption><a href="{name}">{html.escape(title)}</a></figcaption></figure>'
        for name, title in charts.items())
    local = timezone.localtime
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{html.escape(period.title)}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 2em auto; max-width: 980px; color: #1f2328; }}
h1 {{ font-size: 1.6em; }} h2 {{ border-bottom: 1px solid #d0d7de; padding-bottom: .3em; }}
table {{ border-collapse: collapse; margin: .5em 0 1.5em; }}
th, td {{ border: 1px solid #d0d7de; padding: .35em .8em; text-align: left; }}
th {{ background: #f6f8fa; font-weight: 600; }}
figure {{ margin: 1em 0; }} img {{ max-width: 100%; border: 1px solid #eaeef2; }}
.muted {{ color: #656d76; font-size: .9em; }}
</style></head><body>
<h1>{html.escape(period.title)}</h1>
<p class="muted">统计区间：{local(period.start):%Y-%m-%d %H:%M}
至 {local(period.end):%Y-%m-%d %H:%M}（北京时间）；
生成时间：{local(timezone.now()):%Y-%m-%d %H:%M}。指标定义见 API 文档
/api/analytics/kpis/。</p>
<h2>核心指标</h2><table>{rows}</table>
<h2>根因分析：各类别处理时长与中位类别对比</h2>
<table><tr><th>类别</th><th>已解决工单</th><th>平均处理时长（分钟）</th><th>相对中位类别</th></tr>
{causes or '<tr><td colspan="4">本期无已解决工单</td></tr>'}</table>
<h2>批量异常</h2>
<table><tr><th>事件工单</th><th>类型</th><th>地点/区域</th><th>承运商/类别</th><th>快件</th>
<th>关联工单</th><th>已通知客户</th><th>状态</th></tr>
{incident_rows or '<tr><td colspan="8">期间无批量异常</td></tr>'}</table>
<h2>图表</h2>{images}
<p class="muted">明细数据：<a href="kpis.csv">kpis.csv</a></p>
</body></html>
"""


def _csv(path: Path, kpis: dict, groups: dict[str, list]) -> None:
    keys = [k for k, _label, _fmt in KPI_LABELS]
    with path.open("w", newline="", encoding="utf-8-sig") as handle:  # BOM: Excel opens UTF-8
        writer = csv.writer(handle)
        writer.writerow(["group_by", "key", "label", *keys])
        writer.writerow(["overall", "", "全部", *[kpis["overall"].get(k) for k in keys]])
        for group_by, rows in groups.items():
            for row in rows:
                writer.writerow([group_by, row["key"], row["label"],
                                 *[row.get(k) for k in keys]])


def build_report(kind: str, day: date, out_dir: str | Path) -> Report:
    """Writes the report into `out_dir` and stores it (listed in admin and the console)."""
    from analytics.kpis import compute_kpis, daily_volume
    from tickets.roles import system_user

    if kind not in ReportKind.values:
        raise ValueError(f"unknown report kind {kind!r}")
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    period = period_for(kind, day)
    user = system_user()
    kpis = compute_kpis(user=user, start=period.start, end=period.end, group_by="category")
    by_priority = {g["key"]: g for g in compute_kpis(
        user=user, start=period.start, end=period.end, group_by="priority")["groups"]}
    incidents = list(Incident.objects.filter(opened_at__lt=period.end).exclude(
        closed_at__lt=period.anomaly_start).select_related("ticket").order_by("opened_at")[:30])
    _font()
    charts = {"volume_trend.png": "工单量趋势", "sla_by_priority.png": "各优先级 SLA 达成率",
              "top_categories.png": "工单类别 Top 10", "anomalies_timeline.png": "批量异常时间线"}
    _volume_chart(daily_volume(start=period.trend_start, end=period.end), period,
                  out / "volume_trend.png")
    _sla_chart(by_priority, out / "sla_by_priority.png")
    _category_chart(kpis["groups"], out / "top_categories.png")
    _anomaly_chart(incidents, period, out / "anomalies_timeline.png")
    _csv(out / "kpis.csv", kpis, {"category": kpis["groups"],
                                  "priority": list(by_priority.values())})
    (out / "report.html").write_text(_html(period, kpis, kpis["groups"], incidents, charts,
                                           out), encoding="utf-8")
    summary = {k: kpis["overall"].get(k) for k, _label, _fmt in KPI_LABELS}
    summary["incidents"] = len(incidents)
    return Report.objects.create(kind=kind, period_start=period.start, period_end=period.end,
                                 directory=str(out),
                                 files=["report.html", "kpis.csv", *charts], summary=summary)


def build_scheduled_report(kind: str) -> Report:
    """Beat: the previous day, or the previous week, into ANALYTICS_REPORT_DIR/<kind>/<date>."""
    today = timezone.localdate()
    day = today - timedelta(days=1 if kind == ReportKind.DAILY else 7)
    base = Path(getattr(settings, "ANALYTICS_REPORT_DIR", settings.MEDIA_ROOT / "reports"))
    return build_report(kind, day, base / kind / f"{period_for(kind, day).start:%Y-%m-%d}")


__all__ = ["build_report", "build_scheduled_report", "period_for", "_"]
