/*  fuzz_agent_report.c — fuzz target for the report file reader (agent_reports_parse, over
    jansson): every input is read as the bytes of a file a cantonal system dropped into
    STATE/reports/CANTON/. What is accepted must name a rec and a state, and, once checked as a
    report of canton VD (cii_report_check), pack as an upward REPORT; a refusal must be one line of
    valid UTF-8 that gives the line and column of a fault or names the member. Any breach calls
    abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_reports.h"
#include "cii_domain.h"
#include "cii_wire.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
s_die (const char *what, const char *detail)
{
    fprintf (stderr, "fuzz_agent_report: %s (%s)\n", what, detail ? detail : "-");
    abort ();
}

//  A refusal gives a position ("line L, column C", also inside "not UTF-8 text: ..."), or names
//  the document's shape or a member.
static int
s_error_shape_ok (const char *error)
{
    if (strstr (error, "line ") && strstr (error, ", column "))
        return 1;
    return strncmp (error, "not a JSON object", 17) == 0 || strncmp (error, "unknown member \"", 16) == 0
        || strncmp (error, "missing \"", 9) == 0 || strncmp (error, "\"rec\" must", 10) == 0
        || strncmp (error, "\"state\" must", 12) == 0 || strncmp (error, "\"note\" must", 11) == 0
        || strncmp (error, "\"version\" must", 14) == 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    agent_report_input_t input;
    json_t *doc = NULL;
    cii_err_t err;
    memset (&err, 0, sizeof err);
    cii_rc_t rc = agent_reports_parse ((const char *) data, size, &input, &doc, &err);
    if (rc != CII_OK) {
        if (rc != CII_BAD_INPUT && rc != CII_NO_MEMORY)
            s_die ("unexpected return code", err.text);
        if (doc || input.ref || input.state)
            s_die ("result set on failure", err.text);
        size_t len = strnlen (err.text, sizeof err.text);
        if (len == 0 || len >= sizeof err.text)
            s_die ("empty or unterminated error", NULL);
        if (strchr (err.text, '\n') || strchr (err.text, '\r') || !cii_domain_utf8_valid (err.text, len))
            s_die ("error is not one line of UTF-8", err.text);
        if (rc == CII_BAD_INPUT && !s_error_shape_ok (err.text))
            s_die ("error gives neither a position nor the member", err.text);
        return 0;
    }
    if (!doc || !input.ref || !input.state)
        s_die ("accepted without rec, state or document", NULL);
    if (input.canton || input.source || input.file_name || input.file_digest)
        s_die ("fields the reader must not set", NULL);
    cii_report_t report = { .ref = input.ref, .canton = "VD", .state = input.state, .note = input.note,
                            .at_ms = 1800000000000, .version = input.version, .source = "file" };
    if (cii_report_check (&report, "report", &err) == CII_OK) {
        uint8_t *frame = NULL;
        size_t frame_size = 0;
        if (cii_wire_report_envelope (&report, "fuzz-report", &frame, &frame_size, &err) != CII_OK)
            s_die ("checked report does not pack", err.text);
        free (frame);
    }
    json_decref (doc);
    return 0;
}
