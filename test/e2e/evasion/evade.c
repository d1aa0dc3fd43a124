// SPDX-License-Identifier: MIT
// Does one thing a sandbox check could miss, the way ordinary code would:
// the routes of the evasion scenarios (test/e2e/scenarios/evasion.test.cjs).
//   evade ROUTE ARGS...   exit 0 when the call was made (its result is
//   printed), 2 on bad usage. Built by the e2e global setup.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <pthread.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <grp.h>
#include <unistd.h>

/* chmod-race: the link comes and goes while the main thread acts through it. */
struct race {
	const char *link, *target;
	volatile int stop;
};

static void *toggle_link(void *arg)
{
	struct race *r = arg;

	while (!r->stop) {
		unlink(r->link);
		if (symlink(r->target, r->link))
			break;
	}
	return NULL;
}

/* The races (connect-race, mkdir-race): another thread flips the word at
 * AT between A and B while the main thread makes calls that read it. */
struct flip {
	volatile __u32 *at;
	__u32 a, b;
	volatile int stop;
};

static void *flip_word(void *arg)
{
	struct flip *f = arg;

	/* Each value held for a while: the call copies one, and a later read
	 * (sys_exit, or a hook) sees the other. */
	for (unsigned long i = 0; !f->stop; i++) {
		*f->at = i & 1 ? f->a : f->b;
		for (volatile int spin = 0; spin < 500; spin++)
			;
	}
	return NULL;
}

/* NAME's labels into buf, without the final zero; their length. */
static int dns_labels(unsigned char *buf, const char *name)
{
	int n = 0;

	for (const char *label = name; *label;) {
		const char *dot = strchr(label, '.');
		int len = dot ? dot - label : (int)strlen(label);

		buf[n++] = len;
		memcpy(buf + n, label, len);
		n += len;
		label += len + (dot ? 1 : 0);
	}
	return n;
}

/* A DNS query for NAME of TYPE (1: A, 28: AAAA) into buf; its length. */
static int dns_query(unsigned char *buf, const char *name, int type)
{
	int n = 12;

	memset(buf, 0, 12);
	buf[1] = 7, buf[2] = 1, buf[5] = 1; /* id, recursion desired, one question */
	n += dns_labels(buf + n, name);
	buf[n++] = 0;
	buf[n++] = 0, buf[n++] = type, buf[n++] = 0, buf[n++] = 1;
	return n;
}

/* poke: where FN's first byte is in the file it was loaded from, and that
 * byte as the file holds it (a uprobe's breakpoint replaces it in memory). */
static int original_first_byte(void *fn, unsigned char *byte)
{
	unsigned long start, end, offset, at = (unsigned long)fn;
	char line[512], path[400];
	FILE *maps = fopen("/proc/self/maps", "r");
	int found = 0, fd;

	while (maps && !found && fgets(line, sizeof(line), maps))
		found = sscanf(line, "%lx-%lx %*s %lx %*s %*s %399s", &start, &end, &offset, path) == 4 && at >= start && at < end;
	if (maps)
		fclose(maps);
	if (!found || (fd = open(path, O_RDONLY)) < 0)
		return -1;
	found = pread(fd, byte, 1, at - start + offset) == 1;
	close(fd);
	return found ? 0 : -1;
}

/* A query for NAME whose first label hides HIDDEN two bytes in, its ID its
 * length less two: read as if it began with its length (the length went in
 * a write of its own), it asks HIDDEN. */
static int disguised_query(unsigned char *buf, const char *name, const char *hidden)
{
	int k, n;

	memset(buf, 0, 12);
	buf[2] = 1, buf[5] = 1, buf[7] = 1; /* recursion desired, one question; an answer count read as one question */
	k = dns_labels(buf + 14, hidden);
	buf[14 + k] = 0;
	buf[12] = k + 2, buf[13] = 'x'; /* a first label over x, HIDDEN and its zero */
	n = 15 + k;
	n += dns_labels(buf + n, name);
	buf[n++] = 0;
	buf[n++] = 0, buf[n++] = 1, buf[n++] = 0, buf[n++] = 1;
	buf[0] = (n - 2) >> 8, buf[1] = (n - 2) & 0xff;
	return n;
}

/* A query for FIRST, then NAME, as one message of two questions. */
static int two_questions(unsigned char *buf, const char *first, const char *name)
{
	int n = dns_query(buf, first, 1);

	buf[5] = 2;
	n += dns_labels(buf + n, name);
	buf[n++] = 0;
	buf[n++] = 0, buf[n++] = 1, buf[n++] = 0, buf[n++] = 1;
	return n;
}

/* A query in three buffers, as a resolver may scatter it: the header, the
 * name's labels, then the name's end with the type and class. */
static int scatter_query(struct iovec *iov, unsigned char *q, const char *name)
{
	int n = dns_query(q, name, 1);

	iov[0] = (struct iovec){ .iov_base = q, .iov_len = 12 };
	iov[1] = (struct iovec){ .iov_base = q + 12, .iov_len = n - 12 - 5 };
	iov[2] = (struct iovec){ .iov_base = q + n - 5, .iov_len = 5 };
	return 3;
}

/* MSG sent on FD by io_uring (IORING_OP_SENDMSG): the send's result, or -1. */
static long uring_sendmsg(int fd, struct msghdr *msg)
{
	struct io_uring_params p = { 0 };
	int ring = syscall(SYS_io_uring_setup, 4, &p);
	unsigned char *sq, *cq;
	struct io_uring_sqe *sqes;
	unsigned tail, index;

	if (ring < 0)
		return -1;
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_SQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_SQES);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe), PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_CQ_RING);
	if (sq == MAP_FAILED || sqes == MAP_FAILED || cq == MAP_FAILED)
		return -1;
	tail = *(unsigned *)(sq + p.sq_off.tail);
	index = tail & *(unsigned *)(sq + p.sq_off.ring_mask);
	memset(&sqes[index], 0, sizeof(sqes[index]));
	sqes[index].opcode = IORING_OP_SENDMSG;
	sqes[index].fd = fd;
	sqes[index].addr = (unsigned long)msg;
	sqes[index].len = 1;
	((unsigned *)(sq + p.sq_off.array))[index] = index;
	__atomic_store_n((unsigned *)(sq + p.sq_off.tail), tail + 1, __ATOMIC_RELEASE);
	if (syscall(SYS_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -1;
	return ((struct io_uring_cqe *)(cq + p.cq_off.cqes))[*(unsigned *)(cq + p.cq_off.head) & *(unsigned *)(cq + p.cq_off.ring_mask)].res;
}

static int report(const char *what, long ret)
{
	printf("%s: %ld%s%s\n", what, ret, ret < 0 ? " " : "", ret < 0 ? strerror(errno) : "");
	return 0;
}

static struct sockaddr_in inet(const char *address, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, address, &sin.sin_addr);
	return sin;
}

int main(int argc, char **argv)
{
	const char *route = argc > 1 ? argv[1] : "";
	const char *a = argc > 2 ? argv[2] : "";
	const char *b = argc > 3 ? argv[3] : "";

	if (!strcmp(route, "truncate"))
		return report("truncate", truncate(a, 0));
	if (!strcmp(route, "utimes"))
		return report("utimensat", utimensat(AT_FDCWD, a, NULL, 0));
	if (!strcmp(route, "setxattr"))
		return report("setxattr", setxattr(a, "user.vivarium", "1", 1, 0));
	if (!strcmp(route, "lsetxattr"))
		return report("lsetxattr", lsetxattr(a, "user.vivarium", "1", 1, 0));
	if (!strcmp(route, "fsetxattr"))
		return report("fsetxattr", fsetxattr(open(a, O_RDONLY), "user.vivarium", "1", 1, 0));
	if (!strcmp(route, "futimesat"))
		return report("futimesat", syscall(SYS_futimesat, AT_FDCWD, a, NULL));
	if (!strcmp(route, "mknod-file"))
		return report("mknod", mknod(a, S_IFREG | 0644, 0));
	if (!strcmp(route, "removexattr"))
		return report("removexattr", removexattr(a, "user.vivarium"));
	if (!strcmp(route, "mknod-dev"))
		return report("mknod", mknod(a, S_IFCHR | 0600, makedev(1, 3)));
	if (!strcmp(route, "by-handle") && argc > 3) {
		/* by-handle FILE DIR: FILE opened by its handle, through DIR's mount. */
		struct file_handle *handle = malloc(sizeof(*handle) + MAX_HANDLE_SZ);
		int mount_id, dir = open(b, O_RDONLY | O_DIRECTORY);

		handle->handle_bytes = MAX_HANDLE_SZ;
		if (name_to_handle_at(AT_FDCWD, a, handle, &mount_id, 0))
			return report("name_to_handle_at", -1);
		return report("open_by_handle_at", open_by_handle_at(dir, handle, O_RDONLY));
	}
	if (!strcmp(route, "mkfifo"))
		return report("mknod", mknod(a, S_IFIFO | 0644, 0));
	if (!strcmp(route, "chmod"))
		return report("chmod", chmod(a, 0600));
	if (!strcmp(route, "fchownat-empty")) {
		int fd = open(a, O_RDONLY);

		return report("fchownat", fchownat(fd, "", -1, -1, AT_EMPTY_PATH));
	}
	if (!strcmp(route, "udp")) {
		struct sockaddr_in to = inet(a, atoi(b));
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		return report("sendto", sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)));
	}
	if (!strcmp(route, "tfo")) {
		struct sockaddr_in to = inet(a, atoi(b));
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		return report("sendto(MSG_FASTOPEN)", sendto(fd, "x", 1, MSG_FASTOPEN, (struct sockaddr *)&to, sizeof(to)));
	}
	if (!strcmp(route, "sendmmsg-udp") && argc > 5) {
		/* Two datagrams in one call: to ADDR1:PORT1, then ADDR2:PORT2. */
		struct sockaddr_in to[2] = { inet(a, atoi(b)), inet(argv[4], atoi(argv[5])) };
		struct iovec iov = { .iov_base = "x", .iov_len = 1 };
		struct mmsghdr msgs[2] = {
			{ .msg_hdr = { .msg_name = &to[0], .msg_namelen = sizeof(to[0]), .msg_iov = &iov, .msg_iovlen = 1 } },
			{ .msg_hdr = { .msg_name = &to[1], .msg_namelen = sizeof(to[1]), .msg_iov = &iov, .msg_iovlen = 1 } },
		};

		return report("sendmmsg", sendmmsg(socket(AF_INET, SOCK_DGRAM, 0), msgs, 2, 0));
	}
	if (!strcmp(route, "sendmmsg-dns") && argc > 5) {
		/* A resolver's way (glibc's): one connected socket, two queries in
		 * one call, NAME1's A and NAME2's AAAA. With "split" NAME2's query
		 * is in two buffers, the first its header alone, followed in memory
		 * (but not in the message) by NAME1's question; with "two-questions"
		 * it asks NAME1, then NAME2. */
		struct sockaddr_in server = inet(a, atoi(b));
		unsigned char q[2][300], second[300];
		struct iovec iov[3] = { { .iov_base = q[0] }, { .iov_base = q[1] } };
		struct mmsghdr msgs[2] = { { .msg_hdr = { .msg_iov = &iov[0], .msg_iovlen = 1 } }, { .msg_hdr = { .msg_iov = &iov[1], .msg_iovlen = 1 } } };
		const char *how = argc > 6 ? argv[6] : "";
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		iov[0].iov_len = dns_query(q[0], argv[4], 1);
		iov[1].iov_len = dns_query(q[1], argv[5], 28);
		if (!strcmp(how, "split")) {
			int n = dns_query(second, argv[5], 28);

			dns_query(q[1], argv[4], 28);
			iov[1].iov_len = 12;
			iov[2] = (struct iovec){ .iov_base = second + 12, .iov_len = n - 12 };
			msgs[1].msg_hdr.msg_iovlen = 2;
		} else if (!strcmp(how, "two-questions")) {
			iov[1].iov_len = two_questions(q[1], argv[4], argv[5]);
		}
		if (connect(fd, (struct sockaddr *)&server, sizeof(server)))
			return report("connect", -1);
		return report("sendmmsg", sendmmsg(fd, msgs, 2, 0));
	}
	if (!strcmp(route, "dns-write") && argc > 4) {
		/* A query written, not sent, on a UDP socket connected to a resolver. */
		struct sockaddr_in server = inet(a, atoi(b));
		unsigned char q[300];
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		if (connect(fd, (struct sockaddr *)&server, sizeof(server)))
			return report("connect", -1);
		if (argc > 5 && !strcmp(argv[5], "zerocopy")) {
			/* Sent from pages the kernel reads after the call returns. */
			int one = 1, n = dns_query(q, argv[4], 1);

			setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one));
			return report("send", send(fd, q, n, MSG_ZEROCOPY));
		}
		if (argc > 5 && !strcmp(argv[5], "pwritev2")) {
			struct iovec iov = { .iov_base = q, .iov_len = dns_query(q, argv[4], 1) };

			return report("pwritev2", pwritev2(fd, &iov, 1, -1, 0));
		}
		if (argc > 5 && !strcmp(argv[5], "scattered")) {
			struct iovec iov[3];
			struct msghdr msg = { .msg_iov = iov, .msg_iovlen = scatter_query(iov, q, argv[4]) };

			return report("sendmsg", sendmsg(fd, &msg, 0));
		}
		if (argc > 6 && !strcmp(argv[5], "two-questions"))
			return report("write", write(fd, q, two_questions(q, argv[6], argv[4])));
		if (argc > 5 && (!strcmp(argv[5], "io_uring") || !strcmp(argv[5], "io_uring-scattered"))) {
			/* Sent by the kernel from a ring: no syscall names the socket. */
			struct iovec iov[3] = { { .iov_base = q, .iov_len = dns_query(q, argv[4], 1) } };
			struct msghdr msg = { .msg_iov = iov, .msg_iovlen = strcmp(argv[5], "io_uring") ? scatter_query(iov, q, argv[4]) : 1 };
			long sent = uring_sendmsg(fd, &msg);

			if (sent < 0)
				errno = sent == -1 ? errno : -sent;
			return report("io_uring sendmsg", sent);
		}
		if (argc > 5 && !strcmp(argv[5], "iovlen0")) {
			/* An empty datagram: msg_iov points at a query, msg_iovlen says none of it is sent. */
			struct iovec iov = { .iov_base = q, .iov_len = dns_query(q, argv[4], 1) };
			struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 0 };

			return report("sendmsg", sendmsg(fd, &msg, 0));
		}
		return report("write", write(fd, q, dns_query(q, argv[4], 1)));
	}
	if (!strcmp(route, "dns-tcp") && argc > 5) {
		/* dns-tcp HOST PORT NAME HOW [OTHER]: a query on a TCP stream to a
		 * resolver this program listens as, its two-byte length
		 *   whole      in the same buffer
		 *   writev     in a buffer of its own
		 *   split      in a write of its own
		 *   named      in the same buffer, by a sendmsg naming another
		 *              address (which a connected stream ignores)
		 *   disguised  in a write of its own, the query hiding OTHER
		 *   pipelined  in the same buffer, after a query for OTHER
		 *   splice     in the same buffer, spliced from a pipe
		 *   sendfile   in the same buffer, sent from a file
		 *   fastopen   in the same buffer, sent with the SYN (TCP fast open) */
		struct sockaddr_in server = inet(a, atoi(b));
		unsigned char q[604];
		int listener = socket(AF_INET, SOCK_STREAM, 0), fd = socket(AF_INET, SOCK_STREAM, 0), n;
		int one = 1, fastopen = !strcmp(argv[5], "fastopen");

		setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(listener, (struct sockaddr *)&server, sizeof(server)) || listen(listener, 1) ||
		    (!fastopen && connect(fd, (struct sockaddr *)&server, sizeof(server))))
			return report("listen and connect", -1);
		if (argc > 6 && !strcmp(argv[5], "disguised")) {
			n = disguised_query(q + 2, argv[4], argv[6]);
			q[0] = n >> 8, q[1] = n & 0xff;
			return report("write", write(fd, q, 2) + write(fd, q + 2, n));
		}
		if (argc > 6 && !strcmp(argv[5], "pipelined")) {
			/* OTHER's query, then NAME's: one write. */
			unsigned char *second;
			int m;

			n = dns_query(q + 2, argv[6], 1);
			q[0] = n >> 8, q[1] = n & 0xff;
			second = q + 2 + n;
			m = dns_query(second + 2, argv[4], 1);
			second[0] = m >> 8, second[1] = m & 0xff;
			return report("write", write(fd, q, n + 2 + m + 2));
		}
		n = dns_query(q + 2, argv[4], 1);
		q[0] = n >> 8, q[1] = n & 0xff;
		if (!strcmp(argv[5], "named")) {
			struct sockaddr_in elsewhere = inet("127.0.0.1", 9);
			struct iovec iov = { .iov_base = q, .iov_len = n + 2 };
			struct msghdr msg = { .msg_name = &elsewhere, .msg_namelen = sizeof(elsewhere), .msg_iov = &iov, .msg_iovlen = 1 };

			return report("sendmsg", sendmsg(fd, &msg, 0));
		}
		if (fastopen)
			return report("sendto", sendto(fd, q, n + 2, MSG_FASTOPEN, (struct sockaddr *)&server, sizeof(server)));
		if (!strcmp(argv[5], "splice")) {
			int pipefd[2];

			if (pipe(pipefd) || write(pipefd[1], q, n + 2) != n + 2)
				return report("pipe", -1);
			return report("splice", splice(pipefd[0], NULL, fd, NULL, n + 2, 0));
		}
		if (!strcmp(argv[5], "sendfile")) {
			int file = memfd_create("query", 0);

			if (file < 0 || write(file, q, n + 2) != n + 2)
				return report("memfd", -1);
			return report("sendfile", sendfile(fd, file, &(off_t){ 0 }, n + 2));
		}
		if (!strcmp(argv[5], "writev")) {
			struct iovec iov[2] = { { .iov_base = q, .iov_len = 2 }, { .iov_base = q + 2, .iov_len = n } };

			return report("writev", writev(fd, iov, 2));
		}
		if (!strcmp(argv[5], "split"))
			return report("write", write(fd, q, 2) + write(fd, q + 2, n));
		return report("write", write(fd, q, n + 2));
	}
	if (!strcmp(route, "io_uring")) {
		struct io_uring_params params = { 0 };

		return report("io_uring_setup", syscall(SYS_io_uring_setup, 4, &params));
	}
	if (!strcmp(route, "bpf")) {
		union bpf_attr attr = { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1 };

		return report("bpf(BPF_MAP_CREATE)", syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr)));
	}
	if (!strcmp(route, "privileged")) {
		/* One privileged syscall by name, with arguments it refuses or that
		 * change nothing but this process: an attempt is what is judged. */
		if (!strcmp(a, "setgroups"))
			return report(a, setgroups(0, NULL));
		if (!strcmp(a, "capset"))
			return report(a, syscall(SYS_capset, NULL, NULL));
		if (!strcmp(a, "setns"))
			return report(a, setns(-1, 0));
		if (!strcmp(a, "pivot_root"))
			return report(a, syscall(SYS_pivot_root, "/nonexistent", "/nonexistent"));
		if (!strcmp(a, "init_module"))
			return report(a, syscall(SYS_init_module, NULL, 0, ""));
		if (!strcmp(a, "finit_module"))
			return report(a, syscall(SYS_finit_module, -1, "", 0));
		if (!strcmp(a, "process_vm_readv"))
			return report(a, syscall(SYS_process_vm_readv, getpid(), NULL, 0, NULL, 0, 0));
		if (!strcmp(a, "process_vm_writev"))
			return report(a, syscall(SYS_process_vm_writev, getpid(), NULL, 0, NULL, 0, 0));
		if (!strcmp(a, "perf_event_open"))
			return report(a, syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
		if (!strcmp(a, "kexec_load")) /* flags no kernel accepts: nothing loaded or unloaded */
			return report(a, syscall(SYS_kexec_load, 0, 0, NULL, 0xffff0000UL));
		if (!strcmp(a, "kexec_file_load"))
			return report(a, syscall(SYS_kexec_file_load, -1, -1, 0, NULL, 0xffff0000UL));
		if (!strcmp(a, "pidfd_getfd"))
			return report(a, syscall(SYS_pidfd_getfd, -1, 0, 0));
		/* The new mount API: a filesystem context (closed at exit, never
		 * mounted), and calls on fds that are none. */
		if (!strcmp(a, "fsopen"))
			return report(a, syscall(SYS_fsopen, "tmpfs", 0));
		if (!strcmp(a, "fsconfig"))
			return report(a, syscall(SYS_fsconfig, -1, 0, NULL, NULL, 0));
		if (!strcmp(a, "fsmount"))
			return report(a, syscall(SYS_fsmount, -1, 0, 0));
		if (!strcmp(a, "open_tree"))
			return report(a, syscall(SYS_open_tree, AT_FDCWD, "/nonexistent", 1 /* OPEN_TREE_CLONE */));
		if (!strcmp(a, "move_mount"))
			return report(a, syscall(SYS_move_mount, -1, "", -1, "", 0));
		if (!strcmp(a, "mount_setattr"))
			return report(a, syscall(SYS_mount_setattr, -1, "", 0, NULL, 0));
	}
	if (!strcmp(route, "unshare"))
		return report("unshare", unshare(CLONE_NEWUTS));
	if (!strcmp(route, "chroot"))
		return report("chroot", chroot("/"));
	if (!strcmp(route, "reboot"))
		return report("reboot", syscall(SYS_reboot, 0, 0, 0, NULL)); /* bad magic: EINVAL, nothing happens */
	if (!strcmp(route, "delete_module"))
		return report("delete_module", syscall(SYS_delete_module, "vivarium_none", O_NONBLOCK));
	if (!strcmp(route, "mkdir-race") && argc > 4) {
		/* mkdir-race DIR_A DIR_B N: DIR_A/x made N times while another thread
		 * flips the path to DIR_B/x (one byte apart); prints, per success,
		 * where the directory was made, and removes it. */
		char path[4096] __attribute__((aligned(4))), made[2][4096];
		struct flip f = { 0 };
		int n = atoi(argv[4]), at;
		pthread_t thread;

		if (strlen(a) != strlen(b) || strlen(a) > 4000)
			return fprintf(stderr, "usage: evade mkdir-race DIR_A DIR_B N (one byte apart)\n"), 2;
		for (at = 0; a[at] == b[at]; at++)
			;
		snprintf(made[0], sizeof(made[0]), "%s/x", a);
		snprintf(made[1], sizeof(made[1]), "%s/x", b);
		at &= ~3; /* the word holding the byte that differs */
		memcpy(&f.a, made[0] + at, 4);
		memcpy(&f.b, made[1] + at, 4);
		memcpy(path, made[0], sizeof(path));
		f.at = (volatile __u32 *)(path + at);
		pthread_create(&thread, NULL, flip_word, &f);
		for (int i = 0; i < n; i++) {
			if (mkdir(path, 0755))
				continue;
			for (int which = 0; which < 2; which++)
				if (!rmdir(made[which]))
					printf("%s\n", made[which]);
		}
		f.stop = 1;
		pthread_join(thread, NULL);
		return 0;
	}
	if (!strcmp(route, "chmod-race")) {
		/* chmod LINK/FILE N times while another thread removes LINK (a
		 * symlink to TARGET) and puts it back: prints how many succeeded. */
		struct race r = { .link = a, .target = b };
		char path[4096];
		int n = argc > 5 ? atoi(argv[5]) : 0, done = 0;
		pthread_t thread;

		if (argc < 6) {
			fprintf(stderr, "usage: evade chmod-race LINK TARGET FILE N\n");
			return 2;
		}
		snprintf(path, sizeof(path), "%s/%s", a, argv[4]);
		pthread_create(&thread, NULL, toggle_link, &r);
		for (int i = 0; i < n; i++)
			done += chmod(path, 0644) == 0;
		r.stop = 1;
		pthread_join(thread, NULL);
		return report("chmod-race", done);
	}
	if (!strcmp(route, "memfd-exec")) {
		/* A copy of PROGRAM in an anonymous file, run from there. */
		int in = open(a, O_RDONLY), fd = memfd_create("payload", MFD_CLOEXEC);
		char buf[65536];
		ssize_t n;
		char *args[] = { "payload", NULL };

		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(fd, buf, n) != n)
				return report("write", -1);
		syscall(SYS_execveat, fd, "", args, environ, AT_EMPTY_PATH);
		return report("execveat", -1);
	}
	if (!strcmp(route, "connect-race") && argc > 4) {
		/* connect-race A B ROUNDS: listeners on A and B (one port), then
		 * ROUNDS connects to an address another thread keeps flipping
		 * between them; prints where each connect really went. */
		struct sockaddr_in to = inet(a, 0), other = inet(b, 0), peer;
		socklen_t n = sizeof(to);
		int la = socket(AF_INET, SOCK_STREAM, 0), lb = socket(AF_INET, SOCK_STREAM, 0);
		struct flip f = { .at = &to.sin_addr.s_addr, .a = to.sin_addr.s_addr, .b = other.sin_addr.s_addr };
		pthread_t thread;

		if (bind(la, (struct sockaddr *)&to, sizeof(to)) || getsockname(la, (struct sockaddr *)&to, &n))
			return report("bind", -1);
		other.sin_port = to.sin_port;
		if (bind(lb, (struct sockaddr *)&other, sizeof(other)) || listen(la, 64) || listen(lb, 64))
			return report("bind", -1);
		fcntl(la, F_SETFL, O_NONBLOCK);
		fcntl(lb, F_SETFL, O_NONBLOCK);
		pthread_create(&thread, NULL, flip_word, &f);
		for (int i = 0, rounds = atoi(argv[4]); i < rounds; i++) {
			int fd = socket(AF_INET, SOCK_STREAM, 0);

			n = sizeof(peer);
			if (connect(fd, (struct sockaddr *)&to, sizeof(to)) || getpeername(fd, (struct sockaddr *)&peer, &n))
				return report("connect", -1);
			printf("%s\n", inet_ntoa(peer.sin_addr));
			close(fd);
			close(accept(peer.sin_addr.s_addr == f.a ? la : lb, NULL, NULL));
		}
		f.stop = 1;
		pthread_join(thread, NULL);
		return 0;
	}
	if (!strcmp(route, "tfo-refused") && argc > 4) {
		/* tfo-refused HOST PORT NAME: a query by TCP fast open that a
		 * seccomp filter refuses (EPERM) before the call runs: nothing is
		 * sent. */
		struct sockaddr_in to = inet(a, atoi(b));
		struct sock_filter refuse[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendto, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog filter = { .len = 4, .filter = refuse };
		unsigned char q[604];
		int fd = socket(AF_INET, SOCK_STREAM, 0), n = dns_query(q + 2, argv[4], 1);

		q[0] = n >> 8, q[1] = n & 0xff;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter))
			return report("seccomp", -1);
		return report("sendto", sendto(fd, q, n + 2, MSG_FASTOPEN, (struct sockaddr *)&to, sizeof(to)));
	}
	if (!strcmp(route, "poke")) {
		/* poke NAME: a child stops for its parent, which puts back with
		 * PTRACE_POKETEXT the first byte of the child's getenv (the
		 * breakpoint of a uprobe, where one is attached); the child then
		 * reads NAME. Prints the byte the child's getenv began with. */
		unsigned char *fn = (unsigned char *)getenv, original;
		pid_t child;
		long word;
		int status;

		if (original_first_byte(fn, &original))
			return report("reading getenv from its file", -1);
		child = fork();
		if (child == 0) {
			ptrace(PTRACE_TRACEME, 0, NULL, NULL);
			raise(SIGSTOP);
			_exit(getenv(a) ? 0 : 1);
		}
		if (child < 0 || waitpid(child, &status, WUNTRACED) != child || !WIFSTOPPED(status))
			return report("fork and stop", -1);
		errno = 0;
		word = ptrace(PTRACE_PEEKTEXT, child, fn, NULL);
		if (errno)
			return report("PTRACE_PEEKTEXT", -1);
		printf("%02x\n", (unsigned)(word & 0xff));
		if (ptrace(PTRACE_POKETEXT, child, fn, (void *)((word & ~0xffL) | original)) ||
		    ptrace(PTRACE_DETACH, child, NULL, NULL) || waitpid(child, &status, 0) != child)
			return report("PTRACE_POKETEXT", -1);
		return 0;
	}
	if (!strcmp(route, "int80-open")) {
		/* open(PATH) through the i386 entry, from this 64-bit program: its
		 * pointer must fit in 32 bits, so PATH is copied below 2 GiB. */
		char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		long ret = 5; /* i386 open */

		if (low == MAP_FAILED)
			return report("mmap", -1);
		strncpy(low, a, 4095);
		__asm__ volatile("int $0x80" : "+a"(ret) : "b"(low), "c"(O_RDONLY) : "memory");
		if (ret < 0)
			errno = -ret;
		return report("int 0x80 open", ret < 0 ? -1 : ret);
	}
	fprintf(stderr, "usage: evade ROUTE ARGS... (see evade.c)\n");
	return 2;
}
