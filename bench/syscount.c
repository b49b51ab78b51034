/*
 * syscount.c -- counts the system calls made on the descriptors of a socket
 * measurement, whoever makes them: the core's socket wrapper or an engine
 * on its own descriptor (OpenSSL through read/write, GnuTLS through
 * recv/sendmsg, wolfSSL through recv/send).
 *
 * This program defines the libc entry points below itself, so the dynamic
 * linker binds every library's calls to them (the program is linked with
 * -export-dynamic); each passes the call to the kernel with syscall(2),
 * counting it when its descriptor is watched.  Only the transfer and poll
 * calls are counted: they are what a TLS stream costs per byte.
 */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bench/driver.h"

#define WATCH_MAX 1024

/* The build hides symbols by default; these must be seen by the dynamic
 * linker to take the libraries' calls. */
#define INTERPOSE __attribute__((visibility("default")))

static atomic_uchar watched[WATCH_MAX];
static atomic_ulong counted;

void
bench_syscount_watch(int fd, int on)
{
	if (fd >= 0 && fd < WATCH_MAX)
		atomic_store(&watched[fd], on ? 1 : 0);
}

unsigned long
bench_syscount_take(void)
{
	return atomic_exchange(&counted, 0);
}

static void
note(int fd)
{
	if (fd >= 0 && fd < WATCH_MAX && atomic_load_explicit(&watched[fd],
	    memory_order_relaxed))
		atomic_fetch_add_explicit(&counted, 1, memory_order_relaxed);
}

INTERPOSE ssize_t
read(int fd, void *buf, size_t len)
{
	note(fd);
	return syscall(SYS_read, fd, buf, len);
}

INTERPOSE ssize_t
write(int fd, const void *buf, size_t len)
{
	note(fd);
	return syscall(SYS_write, fd, buf, len);
}

INTERPOSE ssize_t
readv(int fd, const struct iovec *iov, int n)
{
	note(fd);
	return syscall(SYS_readv, fd, iov, n);
}

INTERPOSE ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	note(fd);
	return syscall(SYS_writev, fd, iov, n);
}

INTERPOSE ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
	note(fd);
	return syscall(SYS_recvfrom, fd, buf, len, flags, NULL, NULL);
}

INTERPOSE ssize_t
send(int fd, const void *buf, size_t len, int flags)
{
	note(fd);
	return syscall(SYS_sendto, fd, buf, len, flags, NULL, 0);
}

INTERPOSE ssize_t
recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr,
         socklen_t *alen)
{
	note(fd);
	return syscall(SYS_recvfrom, fd, buf, len, flags, addr, alen);
}

INTERPOSE ssize_t
sendto(int fd, const void *buf, size_t len, int flags,
       const struct sockaddr *addr, socklen_t alen)
{
	note(fd);
	return syscall(SYS_sendto, fd, buf, len, flags, addr, alen);
}

INTERPOSE ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	note(fd);
	return syscall(SYS_recvmsg, fd, msg, flags);
}

INTERPOSE ssize_t
sendmsg(int fd, const struct msghdr *msg, int flags)
{
	note(fd);
	return syscall(SYS_sendmsg, fd, msg, flags);
}

INTERPOSE int
poll(struct pollfd *fds, nfds_t n, int timeout)
{
	struct timespec ts, *tp = NULL;
	nfds_t i;

	for (i = 0; i < n; i++)
		note(fds[i].fd);
	if (timeout >= 0) {
		ts.tv_sec = timeout / 1000;
		ts.tv_nsec = (long)(timeout % 1000) * 1000000L;
		tp = &ts;
	}
	return (int)syscall(SYS_ppoll, fds, n, tp, NULL, (size_t)_NSIG / 8);
}
