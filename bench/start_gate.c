/* SPDX-License-Identifier: MIT */
#include "start_gate.h"

void start_gate_pass(struct start_gate *g)
{
	pthread_mutex_lock(&g->m);
	g->arrived++;
	pthread_cond_broadcast(&g->c);
	while (!g->open)
		pthread_cond_wait(&g->c, &g->m);
	pthread_mutex_unlock(&g->m);
}

void start_gate_open(struct start_gate *g, int n)
{
	pthread_mutex_lock(&g->m);
	while (g->arrived < n)
		pthread_cond_wait(&g->c, &g->m);
	g->open = true;
	pthread_cond_broadcast(&g->c);
	pthread_mutex_unlock(&g->m);
}
