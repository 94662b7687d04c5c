/*
 * pcap_count.c - the bare libpcap loop of `make bench` (bench tooling, not a
 * pipeline stage, issue 7): pcap_open_offline, pcap_next_ex until the end,
 * count packets and captured bytes, print "N packets, B bytes". The floor
 * that any capture reader pays before it decodes anything.
 */
#include <pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pcap-count FILE\n");
        return 2;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(argv[1], errbuf);
    if (!pc) {
        fprintf(stderr, "pcap-count: %s: %s\n", argv[1], errbuf);
        return 2;
    }
    uint64_t packets = 0, bytes = 0;
    struct pcap_pkthdr *h;
    const unsigned char *data;
    int rc;
    while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
        packets++;
        bytes += h->caplen;
    }
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "pcap-count: %s: %s\n", argv[1], pcap_geterr(pc));
        pcap_close(pc);
        return 3;
    }
    pcap_close(pc);
    printf("%llu packets, %llu bytes\n", (unsigned long long)packets, (unsigned long long)bytes);
    return 0;
}
