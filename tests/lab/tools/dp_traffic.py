#!/usr/bin/python3
"""Traffic for the data-plane lab tests (tests/lab/test_dp_*.sh).

  dp_traffic.py tcp-rx PORT OUTFILE          accept one connection, write "sha256 bytes"
  dp_traffic.py tcp-tx HOST PORT FILE        send FILE, wait for the receiver to close
  dp_traffic.py udp-rx PORT TIMEOUT OUTFILE  write the size of one datagram, or "timeout"
  dp_traffic.py udp-tx HOST PORT SIZE df|nodf  one datagram of SIZE bytes (DF set or not);
                                             with df, then wait up to 3 s for an ICMP error
                                             on the socket and print "EMSGSIZE" or "none"
  dp_traffic.py udp-stream-tx HOST PORT PPS STOPFILE
                                             numbered 200-byte datagrams at PPS per second
                                             until STOPFILE exists; print how many were sent
  dp_traffic.py udp-stream-rx PORT IDLE OUTFILE  receive numbered datagrams until none came
                                             for IDLE seconds (60 before the first); write
                                             "received N distinct D first F last L"
  dp_traffic.py esp-tamper PCAP IFACE DSTMAC send the first ESP packet of PCAP with its
                                             last byte (ICV) flipped, as an Ethernet frame
                                             to DSTMAC on IFACE (no route needed)
  dp_traffic.py esp-ivs PCAP                 one line per ESP packet of PCAP: "SRC DST SPI
                                             SEQ IV", SPI as 0x%08x, IV the 8 octets after
                                             SPI and sequence number in hex

Each command exits 0 when it did its job, 1 otherwise.
"""
import errno
import hashlib
import os
import socket
import struct
import sys
import time

IP_MTU_DISCOVER, PMTUDISC_DONT, PMTUDISC_DO = 10, 0, 2


def tcp_rx(port, out):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", int(port)))
    srv.listen(1)
    srv.settimeout(120)
    conn, _ = srv.accept()
    conn.settimeout(120)
    h, n = hashlib.sha256(), 0
    while True:
        d = conn.recv(1 << 16)
        if not d:
            break
        h.update(d)
        n += len(d)
    conn.close()
    with open(out, "w") as f:
        f.write("%s %d\n" % (h.hexdigest(), n))


def tcp_tx(host, port, path):
    s = socket.create_connection((host, int(port)), timeout=120)
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 16)
            if not b:
                break
            s.sendall(b)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)  # until the receiver closes: everything arrived
    s.close()


def udp_rx(port, timeout, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(port)))
    s.settimeout(float(timeout))
    try:
        d, _ = s.recvfrom(65535)
        res = str(len(d))
    except socket.timeout:
        res = "timeout"
    with open(out, "w") as f:
        f.write(res + "\n")


def udp_tx(host, port, size, df):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, PMTUDISC_DO if df == "df" else PMTUDISC_DONT)
    payload = (bytes(range(256)) * (int(size) // 256 + 1))[: int(size)]
    # Connected, so that an ICMP error comes back to this socket (and the
    # kernel, finding the socket, caches the path MTU it carries).
    s.connect((host, int(port)))
    s.send(payload)
    if df != "df":
        return
    s.settimeout(3)
    try:
        s.recv(1)
        print("none")
    except socket.timeout:
        print("none")
    except OSError as e:
        print("EMSGSIZE" if e.errno == errno.EMSGSIZE else "error %d" % e.errno)


def udp_stream_tx(host, port, pps, stopfile):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((host, int(port)))
    period, n = 1.0 / float(pps), 0
    due = time.monotonic()
    while not os.path.exists(stopfile):
        s.send(struct.pack("!I", n) + bytes(196))
        n += 1
        due += period
        time.sleep(max(0.0, due - time.monotonic()))
    print(n)


def udp_stream_rx(port, idle, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(port)))
    s.settimeout(60)
    seen, total = set(), 0
    try:
        while True:
            d, _ = s.recvfrom(65535)
            total += 1
            seen.add(struct.unpack("!I", d[:4])[0])
            s.settimeout(float(idle))
    except socket.timeout:
        pass
    with open(out, "w") as f:
        f.write("received %d distinct %d first %d last %d\n" % (
            total, len(seen), min(seen, default=-1), max(seen, default=-1)))


def esp_packets(path):
    """IPv4 bytes of each ESP packet in an Ethernet pcap."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    pos = 24
    while pos + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + "IIII", data[pos : pos + 16])
        frame = data[pos + 16 : pos + 16 + incl]
        pos += 16 + incl
        if len(frame) > 34 and frame[12:14] == b"\x08\x00" and frame[23] == 50:
            yield bytearray(frame[14:])


def first_esp(path):
    """IPv4 bytes of the first ESP packet in an Ethernet pcap."""
    for pkt in esp_packets(path):
        return pkt
    raise SystemExit("no ESP packet in " + path)


def esp_ivs(path):
    for pkt in esp_packets(path):
        ihl = (pkt[0] & 0x0F) * 4
        esp = pkt[ihl:]
        if len(esp) < 16 or (pkt[6] & 0x1F) or pkt[7]:  # short, or a later fragment
            continue
        spi, seq = struct.unpack(">II", esp[:8])
        print("%s %s 0x%08x %d %s" % (socket.inet_ntoa(bytes(pkt[12:16])),
                                      socket.inet_ntoa(bytes(pkt[16:20])), spi, seq,
                                      esp[8:16].hex()))


def esp_tamper(path, iface, dstmac):
    pkt = first_esp(path)
    pkt[-1] ^= 0x01  # inside the ICV: the outer header (and its checksum) stays valid
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    src = s.getsockname()[4]
    s.send(bytes.fromhex(dstmac.replace(":", "")) + src + b"\x08\x00" + bytes(pkt))


CMDS = {"tcp-rx": tcp_rx, "tcp-tx": tcp_tx, "udp-rx": udp_rx, "udp-tx": udp_tx,
        "udp-stream-tx": udp_stream_tx, "udp-stream-rx": udp_stream_rx, "esp-tamper": esp_tamper,
        "esp-ivs": esp_ivs}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in CMDS:
        sys.exit(__doc__)
    CMDS[sys.argv[1]](*sys.argv[2:])
