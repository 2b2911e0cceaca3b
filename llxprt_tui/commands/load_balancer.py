"""Load-balancer commands: `/profile save loadbalancer NAME POLICY MEMBER...` and `/stats lb`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llxprt_runtime.api import LoadBalancer, MemberReport, save_load_balancer_profile
from llxprt_tui.commands.spec import CommandParseError, ParsedCommand

if TYPE_CHECKING:
    from llxprt_runtime.api import RuntimeServices
    from llxprt_tui.commands.handlers import CommandHost

SAVE_USAGE = "Usage: /profile save loadbalancer NAME roundrobin|failover PROFILE PROFILE..."


async def save_load_balancer(runtime: RuntimeServices, args: tuple[str, ...]) -> list[str]:
    """`args` after `save loadbalancer`: NAME POLICY MEMBER..."""
    if len(args) < 2:
        raise CommandParseError(SAVE_USAGE)
    name, policy, *members = args
    result = await save_load_balancer_profile(name, policy.lower(), members, runtime=runtime)
    return [result.message, f"Load it with /profile load {name}."]


async def cmd_stats(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    topic = cmd.args[0].lower() if cmd.args else "lb"
    if topic != "lb" or len(cmd.args) > 1:
        raise CommandParseError("Usage: /stats lb")
    runtime = host.runtime
    balancer = runtime.provider_manager.active_load_balancer()
    if balancer is None:
        return ["No load balancer in this tab. Load one with /profile load NAME."]
    return stats_lines(
        balancer, balancer.report(runtime.settings_service.get_all_global_settings())
    )


_COLUMNS = ("member", "provider", "model", "requests", "ok", "failed", "failovers", "breaker")


def stats_lines(balancer: LoadBalancer, reports: list[MemberReport]) -> list[str]:
    last = balancer.last_served.name if balancer.last_served else "none yet"
    rows = [
        (
            f"{r.name}{' ←' if r.is_next else ''}",
            r.provider,
            r.model,
            str(r.requests),
            str(r.successes),
            str(r.failures),
            str(r.failovers),
            r.breaker,
        )
        for r in reports
    ]
    widths = [max(len(row[i]) for row in (_COLUMNS, *rows)) for i in range(len(_COLUMNS))]
    numeric = range(3, 7)

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ).rstrip()

    upcoming = "next request" if balancer.policy == "roundrobin" else "sticky member"
    lines = [
        f"Load balancer '{balancer.name}' ({balancer.policy}) · last reply from: {last}",
        line(_COLUMNS),
        *(line(row) for row in rows),
        f"← {upcoming}",
    ]
    errors = [(r.name, r.last_error) for r in reports if r.last_error]
    if errors:
        lines.append("last errors:")
        lines += [f"  {name}: {error}" for name, error in errors]
    return lines
