// The kernel half of the sockmap relay (bench only): each accepted client socket and its backend socket are in
// `socks`, and `peers` names each one's partner by (local port, remote port); every segment that arrives on one is
// sent out of the other from the kernel's receive path, with no wake of the relay process and no copy to user space.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct ends {
    __u32 local_port;
    __u32 remote_port;
};

struct {
    __uint(type, BPF_MAP_TYPE_SOCKHASH);
    __uint(max_entries, 65536);
    __type(key, struct ends);
    __type(value, __u64);
} socks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 65536);
    __type(key, struct ends);
    __type(value, struct ends);
} peers SEC(".maps");

// Each segment whole: the parser says a message is as long as what arrived.
SEC("sk_skb/stream_parser")
int parser(struct __sk_buff *skb)
{
    return skb->len;
}

SEC("sk_skb/stream_verdict")
int verdict(struct __sk_buff *skb)
{
    // local_port is in host order; remote_port holds the network-order port in its upper half.
    struct ends self = { .local_port = skb->local_port, .remote_port = bpf_ntohl(skb->remote_port) };
    struct ends *peer = bpf_map_lookup_elem(&peers, &self);
    if (!peer)
        return SK_PASS;
    return bpf_sk_redirect_hash(skb, &socks, peer, 0);
}

char _license[] SEC("license") = "GPL";
