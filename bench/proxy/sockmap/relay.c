// The user half of the sockmap relay (bench only): listens on each port given, connects every client to its backend,
// puts both sockets in the kernel's sockhash and leaves the data to relay.bpf.c; it handles only what is not data
// (half-closes, closes). Usage: relay <relay.bpf.o> <port>:<backend port>... (bench/proxy/sockmap/bulk.sh runs it)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

struct ends { __u32 local_port, remote_port; };

#define MAXFD 65536
static int peer_of[MAXFD];
static int closed_read[MAXFD];
static struct ends ends_of[MAXFD];
static int backend_of_listener[MAXFD];
static int socks_fd, peers_fd, epfd;

static struct ends ends_of_socket(int fd)
{
    struct sockaddr_in local, remote;
    socklen_t l = sizeof local, r = sizeof remote;
    getsockname(fd, (struct sockaddr *)&local, &l);
    getpeername(fd, (struct sockaddr *)&remote, &r);
    struct ends e = { ntohs(local.sin_port), ntohs(remote.sin_port) };
    return e;
}

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 1024)) { perror("listen"); exit(1); }
    return fd;
}

// Data that arrived before the socket joined the map sits in its receive queue: passed on by hand, once.
static void flush_queued(int from, int to)
{
    char buffer[65536];
    ssize_t n;
    while ((n = recv(from, buffer, sizeof buffer, MSG_DONTWAIT)) > 0)
        for (ssize_t sent = 0; sent < n;) {
            ssize_t s = send(to, buffer + sent, n - sent, 0);
            if (s < 0) return;
            sent += s;
        }
}

static void join(int client, int backend_port)
{
    int backend = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(backend_port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (connect(backend, (struct sockaddr *)&a, sizeof a)) { close(client); close(backend); return; }
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(backend, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ends_of[client] = ends_of_socket(client);
    ends_of[backend] = ends_of_socket(backend);
    bpf_map_update_elem(peers_fd, &ends_of[client], &ends_of[backend], BPF_ANY);
    bpf_map_update_elem(peers_fd, &ends_of[backend], &ends_of[client], BPF_ANY);
    __u64 value = client, value2 = backend;
    // A client that closed at once (a check that the port accepts) is no longer established: the map refuses it.
    if (bpf_map_update_elem(socks_fd, &ends_of[client], &value, BPF_ANY) || bpf_map_update_elem(socks_fd, &ends_of[backend], &value2, BPF_ANY)) {
        bpf_map_delete_elem(socks_fd, &ends_of[client]);
        bpf_map_delete_elem(peers_fd, &ends_of[client]);
        bpf_map_delete_elem(peers_fd, &ends_of[backend]);
        close(client);
        close(backend);
        return;
    }
    peer_of[client] = backend, peer_of[backend] = client;
    closed_read[client] = closed_read[backend] = 0;
    flush_queued(client, backend);
    flush_queued(backend, client);
    struct epoll_event e = { .events = EPOLLRDHUP | EPOLLET };
    e.data.fd = client; epoll_ctl(epfd, EPOLL_CTL_ADD, client, &e);
    e.data.fd = backend; epoll_ctl(epfd, EPOLL_CTL_ADD, backend, &e);
}

static void forget(int fd)
{
    bpf_map_delete_elem(socks_fd, &ends_of[fd]);
    bpf_map_delete_elem(peers_fd, &ends_of[fd]);
    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
    peer_of[fd] = -1;
}

int main(int argc, char **argv)
{
    struct bpf_object *object = bpf_object__open_file(argv[1], NULL);
    if (!object || bpf_object__load(object)) { fprintf(stderr, "cannot load %s\n", argv[1]); return 1; }
    socks_fd = bpf_object__find_map_fd_by_name(object, "socks");
    peers_fd = bpf_object__find_map_fd_by_name(object, "peers");
    int verdict = bpf_program__fd(bpf_object__find_program_by_name(object, "verdict"));
    int parser = bpf_program__fd(bpf_object__find_program_by_name(object, "parser"));
    if (bpf_prog_attach(parser, socks_fd, BPF_SK_SKB_STREAM_PARSER, 0) || bpf_prog_attach(verdict, socks_fd, BPF_SK_SKB_STREAM_VERDICT, 0)) {
        perror("attach");
        return 1;
    }
    epfd = epoll_create1(0);
    for (int i = 2; i < argc; i++) {
        int port, backend;
        sscanf(argv[i], "%d:%d", &port, &backend);
        int l = listen_on(port);
        backend_of_listener[l] = backend;
        peer_of[l] = -1;
        struct epoll_event e = { .events = EPOLLIN, .data.fd = l };
        epoll_ctl(epfd, EPOLL_CTL_ADD, l, &e);
    }
    struct epoll_event events[64];
    for (;;) {
        int n = epoll_wait(epfd, events, 64, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (backend_of_listener[fd]) {
                int client;
                while ((client = accept4(fd, NULL, NULL, 0)) >= 0)
                    join(client, backend_of_listener[fd]);
                continue;
            }
            int peer = peer_of[fd];
            if (peer < 0 || closed_read[fd]) continue;
            // The other side's half-close is passed on; a socket is let go once both directions ended.
            closed_read[fd] = 1;
            shutdown(peer, SHUT_WR);
            if (closed_read[peer] || (events[i].events & (EPOLLHUP | EPOLLERR))) {
                forget(fd);
                forget(peer);
            }
        }
    }
}
