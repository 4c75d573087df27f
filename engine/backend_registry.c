/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "backend.h"
#include "iomem/iomem.h"

static const struct iomem_backend_ops *const backends[] = {
	&iomem_backend_rwlock,
	&iomem_backend_rcu,
	&iomem_backend_itree,
	&iomem_backend_maple,
};

/* Registered at start-up, before any thread: read-only afterwards. */
static const struct iomem_backend_ops *hidden[4];

static const char *const backend_names[] = {
	"rwlock",
	"rcu",
	"itree",
	"maple",
	NULL,
};

const char *const *iomem_backend_names(void)
{
	return backend_names;
}

const struct iomem_backend_ops *iomem_backend_find(const char *name)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i];
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]) && hidden[i]; i++)
		if (strcmp(hidden[i]->name, name) == 0)
			return hidden[i];
	return NULL;
}

int iomem_backend_register_hidden(const struct iomem_backend_ops *ops)
{
	if (iomem_backend_find(ops->name))
		return -EEXIST;
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		if (!hidden[i]) {
			hidden[i] = ops;
			return 0;
		}
	}
	return -ENOSPC;
}

bool iomem_backend_exists(const char *name)
{
	return iomem_backend_find(name) != NULL;
}
