/* Fixture for scripts/check_src_deps.py (see loader.c). */
int fixture_plan(void);
void *fixture_alloc(unsigned n);
