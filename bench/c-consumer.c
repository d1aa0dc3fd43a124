// SPDX-License-Identifier: MIT
/*
 * The C yardstick for the Node decoder: drains one worker's ring with
 * libbpf (ring_buffer__new + ring_buffer__consume) and, per record, does what
 * @vivarium/core's decodeEvent does: checks the header, reads its fields and
 * copies every variable field out into a string of its own, keeping the
 * decoded events in a growing array (as drain() returns an array).
 *
 *   c-consumer PIN_DIR SLOT  ->  {"events":N,"bytes":B,"ns":T,"errors":E}
 *
 * Built by the bench: cc -O2 -I bpf -o bench/build/c-consumer bench/c-consumer.c -lbpf
 * Only ring_buffer__consume is timed; opening and freeing are not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vivarium.h"

/* The highest kind vivarium.h defines (the Node decoder also rejects unknown ones). */
#define LAST_KIND VIV_KIND_HTTP

struct decoded {
	__u64 ts_ns;
	__u32 tgid, tid, epoch;
	__u16 kind, flags;
	__s32 result;
	__u32 open_flags, mode, aux;
	char *field[VIV_FIELD_COUNT]; /* path, requested, base, extra; NULL when empty */
};

struct sink {
	struct decoded *events;
	size_t count, capacity;
	size_t bytes;
	size_t errors;
};

static char *copy_field(const char *from, __u16 len)
{
	char *s;

	if (!len)
		return NULL;
	s = malloc(len + 1);
	if (!s)
		return NULL;
	memcpy(s, from, len);
	s[len] = '\0';
	return s;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct sink *sink = ctx;
	const struct viv_event *e = data;
	const char *at = (const char *)data + sizeof(*e);
	struct decoded *d;
	size_t need = sizeof(*e);
	int i;

	if (size < sizeof(*e)) {
		sink->errors++;
		return 0;
	}
	for (i = 0; i < VIV_FIELD_COUNT; i++)
		need += e->len[i];
	if (need > size || e->kind < VIV_KIND_FILE_OPEN || e->kind > LAST_KIND) {
		sink->errors++;
		return 0;
	}
	if (sink->count == sink->capacity) {
		size_t capacity = sink->capacity ? sink->capacity * 2 : 1024;
		struct decoded *grown = realloc(sink->events, capacity * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		sink->events = grown;
		sink->capacity = capacity;
	}
	d = &sink->events[sink->count++];
	d->ts_ns = e->ts_ns;
	d->tgid = e->tgid;
	d->tid = e->tid;
	d->epoch = e->epoch;
	d->kind = e->kind;
	d->flags = e->flags;
	d->result = e->result;
	d->open_flags = e->open_flags;
	d->mode = e->mode;
	d->aux = e->aux;
	for (i = 0; i < VIV_FIELD_COUNT; i++) {
		d->field[i] = copy_field(at, e->len[i]);
		at += e->len[i];
	}
	sink->bytes += size;
	return 0;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct sink sink = { 0 };
	struct ring_buffer *rb;
	char path[4096];
	__u64 start, ns;
	__u32 slot, id;
	int rings, fd, n;
	size_t i, j;

	if (argc != 3) {
		fprintf(stderr, "usage: %s PIN_DIR SLOT\n", argv[0]);
		return 2;
	}
	/* The worker's ring is the slot's entry of the pinned map-in-map `rings`
	 * (root only): looked up, an array of maps gives the inner map's id. */
	snprintf(path, sizeof(path), "%s/rings", argv[1]);
	rings = bpf_obj_get(path);
	if (rings < 0) {
		fprintf(stderr, "c-consumer: bpf_obj_get(%s): %s\n", path, strerror(errno));
		return 1;
	}
	slot = (__u32)strtoul(argv[2], NULL, 10);
	if (bpf_map_lookup_elem(rings, &slot, &id)) {
		fprintf(stderr, "c-consumer: no ring in slot %u of %s: %s\n", slot, path, strerror(errno));
		return 1;
	}
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0) {
		fprintf(stderr, "c-consumer: ring map id %u: %s\n", id, strerror(errno));
		return 1;
	}
	rb = ring_buffer__new(fd, on_record, &sink, NULL);
	if (!rb) {
		fprintf(stderr, "c-consumer: ring_buffer__new: %s\n", strerror(errno));
		return 1;
	}
	start = now_ns();
	n = ring_buffer__consume(rb);
	ns = now_ns() - start;
	if (n < 0) {
		fprintf(stderr, "c-consumer: ring_buffer__consume: %s\n", strerror(-n));
		return 1;
	}
	printf("{\"events\":%zu,\"records\":%d,\"bytes\":%zu,\"ns\":%llu,\"errors\":%zu}\n", sink.count, n, sink.bytes,
	       (unsigned long long)ns, sink.errors);
	for (i = 0; i < sink.count; i++)
		for (j = 0; j < VIV_FIELD_COUNT; j++)
			free(sink.events[i].field[j]);
	free(sink.events);
	ring_buffer__free(rb);
	return 0;
}
