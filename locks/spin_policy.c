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
static struct lock_spin_policy default_policy = { LOCK_SPIN_YIELD, LOCK_SPIN_DEFAULT_SPINS };

int lock_spin_policy_parse(const char *s, struct lock_spin_policy *spin)
{
	unsigned long n;
	char *end;

	if (strcmp(s, "pure") == 0) {
		*spin = (struct lock_spin_policy){ LOCK_SPIN_PURE, 0 };
		return 0;
	}
	if (strcmp(s, "yield") == 0) {
		*spin = (struct lock_spin_policy){ LOCK_SPIN_YIELD, LOCK_SPIN_DEFAULT_SPINS };
		return 0;
	}
	if (strncmp(s, "yield:", 6) != 0 || s[6] < '0' || s[6] > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(s + 6, &end, 10);
	if (errno || *end || n > UINT_MAX)
		return -EINVAL;
	*spin = (struct lock_spin_policy){ LOCK_SPIN_YIELD, (unsigned)n };
	return 0;
}

struct lock_spin_policy lock_spin_default(void)
{
	struct lock_spin_policy p;

	pthread_mutex_lock(&default_lock);
	if (!default_set) {
		const char *env = getenv("IOMEM_LOCK_SPIN");

		if (env && lock_spin_policy_parse(env, &default_policy))
			fprintf(stderr, "iomem: ignoring IOMEM_LOCK_SPIN=%s (pure, yield or yield:N)\n",
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
