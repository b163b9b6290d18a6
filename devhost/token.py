"""Mint a development token: python -m devhost.token --role AttendanceOfficer --school s1"""

from __future__ import annotations

import argparse
from datetime import timedelta

from adapters.identity import mint_dev_token
from domain.platform.access import Role
from settings import Settings

DEMO_TENANT = "demo-district"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devhost.token", description=__doc__)
    parser.add_argument("--role", default=Role.DISTRICT_ADMIN.value,
                        choices=[r.value for r in Role])
    parser.add_argument("--tenant", default=DEMO_TENANT)
    parser.add_argument("--school", action="append", default=[],
                        help="a school in scope (repeat for several)")
    parser.add_argument("--subject", default=None, help="the user or client id")
    parser.add_argument("--hours", type=float, default=8.0)
    args = parser.parse_args(argv)
    schools = [s for item in args.school for s in item.split(",") if s]
    print(mint_dev_token(Settings(), role=args.role, tenant_id=args.tenant, school_ids=schools,
                         subject=args.subject, ttl=timedelta(hours=args.hours)))


if __name__ == "__main__":
    main()
