"""Wonde students-with-contacts payloads and reference-data bodies for tests."""

from __future__ import annotations

from typing import Any

SCHOOL_BODY = {"name": "St Brigid's", "jurisdiction": "ENG", "timeZone": "Europe/London", "language": "en"}

CALENDAR_BODY = {
    "start": "2024-09-02", "end": "2025-07-22",
    "terms": [{"name": "Autumn", "start": "2024-09-02", "end": "2024-12-20"},
              {"name": "Spring", "start": "2025-01-06", "end": "2025-04-04"},
              {"name": "Summer", "start": "2025-04-22", "end": "2025-07-22"}],
    "holidays": [{"name": "Autumn half term", "start": "2024-10-28", "end": "2024-11-01"}],
    "closures": ["2024-11-15"],
}


def wonde_date(day: str) -> dict[str, Any]:
    return {"date": f"{day} 00:00:00.000000", "timezone_type": 3, "timezone": "UTC"}


def contact(contact_id: str, *, surname: str = "Byrne", priority: int = 1,
            language: str | None = "pl", email: str = "parent@example.org") -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": contact_id, "forename": "Aoife", "surname": surname, "title": "Ms",
        "relationship": {"relationship": "Mother", "parental_responsibility": True,
                         "priority": priority, "lives_with_pupil": True, "email_bulletin": False},
        "contact_details": {"data": {
            "emails": {"email": email, "primary": None, "home": None, "work": None},
            "phones": {"phone": "01 555 0101", "primary": None, "home": None, "work": None,
                       "mobile": "087 555 0101"},
            "addresses": {"home": {"house_number": "12", "house_name": None, "apartment": None,
                                   "street": "Main Street", "district": None, "town": "Cork",
                                   "county": None, "country": "Ireland", "postcode": "T12 X1Y2"}}}},
    }
    if language:
        found["preferred_language"] = language
    return found


def student(student_id: str, *, surname: str = "Murphy", year: str = "7", contacts: int = 2,
            admission: Any = "2022-09-01") -> dict[str, Any]:
    return {
        "id": student_id, "mis_id": f"mis-{student_id}", "upi": f"upi-{student_id}",
        "forename": "Sean", "surname": surname, "date_of_birth": wonde_date("2012-05-01"),
        "year": {"data": {"code": year, "name": f"Year {year}"}},
        "form_group": {"data": {"id": "FG1", "name": f"{year}B"}},
        "education_details": {"data": {"admission_date": admission, "leaving_date": None}},
        "contacts": {"data": [contact(f"{student_id}-c{i}", priority=i + 1) for i in range(contacts)]},
    }


def payload(*students: dict[str, Any]) -> dict[str, Any]:
    return {"data": list(students), "meta": {"pagination": {"next": None, "per_page": len(students),
                                                              "current_page": 1}}}
