"""Composition only: the FastAPI app behind one HTTP function, plus the other triggers."""

import azure.functions as func

from functions import (
    attendance_jobs,
    intervention_jobs,
    letter_delivery,
    letter_jobs,
    meeting_notices,
    outbox_relay,
    print_batches,
    sis_jobs,
)
from functions.http.shell.api import create_api
from functions.logging_setup import configure_logging

configure_logging()

api = create_api()
# ANONYMOUS at the host: the API validates bearer tokens itself (functions/http/shell/security.py)
app = func.AsgiFunctionApp(app=api, http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(outbox_relay.bp)
app.register_functions(attendance_jobs.bp)
app.register_functions(intervention_jobs.bp)
app.register_functions(letter_jobs.bp)
app.register_functions(letter_delivery.bp)
app.register_functions(print_batches.bp)
app.register_functions(meeting_notices.bp)
app.register_functions(sis_jobs.bp)
