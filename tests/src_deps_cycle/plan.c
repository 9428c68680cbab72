/* Fixture for scripts/check_src_deps.py (see loader.c). Not compiled. */
#include "plan.h"

int fixture_plan(void) { return fixture_alloc(4) != 0; }
