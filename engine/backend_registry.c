#include <string.h>

#include "backend.h"
#include "iomem/iomem.h"

static const struct iomem_backend_ops *const backends[] = {
	&iomem_backend_rwlock,
	&iomem_backend_rcu,
	&iomem_backend_itree,
#ifdef IOMEM_PLANTED_BACKEND
	&iomem_backend_itree_planted,	/* by name only: not in iomem_backend_names() */
#endif
};

static const char *const backend_names[] = {
	"rwlock",
	"rcu",
	"itree",
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
	return NULL;
}

bool iomem_backend_exists(const char *name)
{
	return iomem_backend_find(name) != NULL;
}
