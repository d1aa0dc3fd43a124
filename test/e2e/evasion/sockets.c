/* Creates the sockets the socket kind reports (raw, packet, netlink) and
 * those it does not (an ordinary one; NETLINK_ROUTE, which the C library
 * opens to list addresses). `sockets raw` creates the raw one only. */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	int raw = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);

	if (argc > 1 && strcmp(argv[1], "raw") == 0)
		return raw < 0;
	socket(AF_PACKET, SOCK_RAW, 0);
	socket(AF_NETLINK, SOCK_RAW, 15 /* NETLINK_KOBJECT_UEVENT */);
	socket(AF_NETLINK, SOCK_RAW, 0 /* NETLINK_ROUTE */);
	socket(AF_INET, SOCK_STREAM, 0);
	return 0;
}
