// Can a uprobe follow one worker and its children only? (BENCHMARKS.md, "the uprobes")
// Opens a getenv uprobe on the uprobe PMU for one forked "worker" (pid filter), with or
// without inherit, and reports which processes hold a breakpoint: a private (anonymous)
// page in the C library's text. The worker forks and execs this program again as a child
// calling getenv; a bystander process calls getenv too.
//   cc -O1 -o /tmp/uprobe-inherit bench/experiments/uprobe-inherit.c
//   sudo /tmp/uprobe-inherit 0|1 [unprivileged]    (inherit off or on; worker as nobody)
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* kB of private pages in the C library's executable mapping of this process. */
static int libc_text_private_kb(void)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0, kb = -1;
	while (f && fgets(line, sizeof line, f)) {
		if (strchr(line, '-') && strstr(line, " r-xp "))
			in = strstr(line, "libc.so.6") != NULL;
		else if (in && !strncmp(line, "Anonymous:", 10)) {
			kb = atoi(line + 10);
			in = 0;
		}
	}
	if (f)
		fclose(f);
	return kb;
}

/* getenv's file offset and its file, from where this process maps it. */
static uint64_t getenv_offset(char *path, size_t len)
{
	uintptr_t at = (uintptr_t)&getenv, start, end;
	unsigned long long off;
	char line[512], perms[8], file[400];
	FILE *f = fopen("/proc/self/maps", "r");
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "%lx-%lx %7s %llx %*s %*s %399s", &start, &end, perms, &off, file) == 5 && at >= start && at < end) {
			fclose(f);
			snprintf(path, len, "%s", file);
			return off + (at - start);
		}
	fclose(f);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "child")) {
		getenv("HOME");
		printf("exec'd child of the worker: %d kB private in libc text\n", libc_text_private_kb());
		return 0;
	}
	int inherit = argc > 1 && atoi(argv[1]);
	int go[2];
	static char libc[400];
	uint64_t offset = getenv_offset(libc, sizeof libc);
	if (pipe(go))
		return 1;
	pid_t worker = fork();
	if (!worker) {
		char c;
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		if (argc > 2 && (setgid(65534) || setuid(65534)))
			_exit(9);
		getenv("HOME");
		pid_t child = fork();
		if (child < 0) {
			printf("worker: fork failed: %s\n", strerror(errno));
			fflush(stdout);
			_exit(3);
		}
		if (!child) {
			execl("/proc/self/exe", "uprobe-inherit", "child", (char *)0);
			_exit(4);
		}
		waitpid(child, NULL, 0);
		printf("worker: %d kB private in libc text\n", libc_text_private_kb());
		fflush(stdout);
		_exit(0);
	}
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	FILE *t = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
	if (!t || fscanf(t, "%u", &a.type) != 1)
		return 1;
	a.config1 = (uint64_t)(uintptr_t)libc;
	a.config2 = offset;
	a.inherit = inherit;
	int fd = syscall(SYS_perf_event_open, &a, worker, -1, -1, 0);
	if (fd < 0) {
		perror("perf_event_open");
		return 1;
	}
	pid_t bystander = fork();
	if (!bystander) {
		sleep(1);
		getenv("HOME");
		printf("bystander: %d kB private in libc text\n", libc_text_private_kb());
		fflush(stdout);
		_exit(0);
	}
	if (write(go[1], "x", 1) != 1)
		return 1;
	waitpid(worker, NULL, 0);
	waitpid(bystander, NULL, 0);
	printf("(inherit=%d, getenv at %s+0x%llx)\n", inherit, libc, (unsigned long long)offset);
	return 0;
}
