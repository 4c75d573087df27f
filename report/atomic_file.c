/* SPDX-License-Identifier: MIT */
/* Temporary file + fsync + rename + directory fsync. */
#include "report/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "DIR/.BASE.tmp.PID.N" beside path; the directory ("." for a bare name) in dir. */
static int temp_name(const char *path, char **tmp, char **dir)
{
	static atomic_uint seq;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;

	if (!*base)
		return -EISDIR;
	*dir = slash ? strndup(path, dirlen) : strdup(".");
	if (!*dir || asprintf(tmp, "%.*s.%s.tmp.%ld.%u", (int)dirlen, path, base, (long)getpid(),
			      atomic_fetch_add(&seq, 1)) < 0) {
		free(*dir);
		return -ENOMEM;
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Some file systems cannot fsync a directory (EINVAL): nothing more to do there. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0 && errno != EINVAL)
		err = -errno;
	close(fd);
	return err;
}

static int write_temp(const char *tmp, const void *buf, size_t len)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	int err;

	if (fd < 0)
		return -errno;
	err = write_all(fd, buf, len);
	if (!err && fsync(fd) != 0)
		err = -errno;
	if (close(fd) != 0 && !err)
		err = -errno;
	return err;
}

int atomic_file_write_buf(const char *path, const void *buf, size_t len)
{
	char *tmp, *dir;
	int err = temp_name(path, &tmp, &dir);

	if (err)
		return err;
	err = write_temp(tmp, buf, len);
	if (!err && rename(tmp, path) != 0)
		err = -errno;
	if (err)
		unlink(tmp);
	else
		err = sync_dir(dir);
	free(tmp);
	free(dir);
	return err;
}

int atomic_file_write(const char *path, atomic_file_fill_fn fill, void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int err;

	if (!mem)
		return -errno;
	err = fill(mem, arg);
	if (fclose(mem) != 0 && !err)
		err = -ENOMEM;
	if (!err)
		err = atomic_file_write_buf(path, buf, len);
	free(buf);
	return err;
}
