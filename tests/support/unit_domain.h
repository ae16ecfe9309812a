/*  unit_domain.h — domain values for the unit tests: a valid cantonal signal to store, queue or
    send (cii_domain.h), whatever the layer under test. */
#ifndef UNIT_DOMAIN_H_INCLUDED
#define UNIT_DOMAIN_H_INCLUDED

#include "cii_domain.h"

/*  Fills signal with canton and title (borrowed), a French description and national reason,
    institutions social-aid and health, target group health-impaired, language fr, created at
    1700000000000 (2023-11-14): valid by cii_signal_check when canton and title are. */
void unit_domain_signal (cii_signal_t *signal, const char *canton, const char *title);

#endif
