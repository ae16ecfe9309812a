/*  unit_domain.c — domain values for the unit tests (see unit_domain.h). */
#include "unit_domain.h"

#include <stdio.h>
#include <string.h>

void
unit_domain_signal (cii_signal_t *signal, const char *canton, const char *title)
{
    memset (signal, 0, sizeof *signal);
    snprintf (signal->canton, sizeof signal->canton, "%s", canton);
    signal->title = title;
    signal->description = "Les personnes atteintes dans leur santé tombent entre deux systèmes.";
    signal->institutions [0] = CII_INSTITUTION_SOCIAL_AID;
    signal->institutions [1] = CII_INSTITUTION_HEALTH;
    signal->n_institutions = 2;
    signal->target_groups [0] = CII_TARGET_GROUP_HEALTH_IMPAIRED;
    signal->n_target_groups = 1;
    signal->national_reason = "Pas de solution cantonale: règles fédérales.";
    snprintf (signal->language, sizeof signal->language, "fr");
    signal->created_at_ms = 1700000000000LL;
}
