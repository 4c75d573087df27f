/* SPDX-License-Identifier: MIT */
/* The process-wide spin policy that lock_init gives new locks. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "locks/lock.h"

static pthread_mutex_t default_lock = PTHREAD_MUTEX_INITIALIZER;
static bool default_set;
static struct lock_spin_policy default_policy = {
	.mode = LOCK_SPIN_YIELD,
	.spins = LOCK_SPIN_DEFAULT_SPINS,
};

int lock_spin_policy_parse(const char *s, struct lock_spin_policy *spin)
{
	enum lock_spin_mode mode;
	unsigned long n;
	char *end;

	if (strcmp(s, "pure") == 0) {
		*spin = (struct lock_spin_policy){ .mode = LOCK_SPIN_PURE, .spins = 0 };
		return 0;
	}
	if (strcmp(s, "yield") == 0) {
		*spin = (struct lock_spin_policy){ .mode = LOCK_SPIN_YIELD, .spins = LOCK_SPIN_DEFAULT_SPINS };
		return 0;
	}
	if (strcmp(s, "park") == 0) {
		*spin = (struct lock_spin_policy){ .mode = LOCK_SPIN_PARK, .spins = LOCK_SPIN_DEFAULT_SPINS };
		return 0;
	}
	if (strncmp(s, "yield:", 6) == 0)
		mode = LOCK_SPIN_YIELD;
	else if (strncmp(s, "park:", 5) == 0)
		mode = LOCK_SPIN_PARK;
	else
		return -EINVAL;
	s = strchr(s, ':') + 1;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || n > UINT_MAX)
		return -EINVAL;
	*spin = (struct lock_spin_policy){ .mode = mode, .spins = (unsigned)n };
	return 0;
}

int lock_spin_policy_format(const struct lock_spin_policy *spin, char *buf, unsigned long len)
{
	switch (spin->mode) {
	case LOCK_SPIN_PURE:
		return snprintf(buf, len, "pure");
	case LOCK_SPIN_YIELD:
		return snprintf(buf, len, "yield:%u", spin->spins);
	case LOCK_SPIN_PARK:
		return snprintf(buf, len, "park:%u", spin->spins);
	case LOCK_SPIN_HOOK:
		break;
	}
	return snprintf(buf, len, "hook");
}

struct lock_spin_policy lock_spin_default(void)
{
	struct lock_spin_policy p;

	pthread_mutex_lock(&default_lock);
	if (!default_set) {
		const char *env = getenv("IOMEM_LOCK_SPIN");

		if (env && lock_spin_policy_parse(env, &default_policy))
			fprintf(stderr, "iomem: ignoring IOMEM_LOCK_SPIN=%s (pure, yield[:N] or park[:N])\n",
				env);
		default_set = true;
	}
	p = default_policy;
	pthread_mutex_unlock(&default_lock);
	return p;
}

void lock_set_spin_default(const struct lock_spin_policy *spin)
{
	pthread_mutex_lock(&default_lock);
	default_policy = *spin;
	default_set = true;
	pthread_mutex_unlock(&default_lock);
}
