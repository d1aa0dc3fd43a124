/* A shared object for the load scenarios: loaded with process.dlopen (Node
 * then refuses it, not being an addon; the dlopen has happened). */
int vivarium_answer(void) { return 42; }
