"""Streams one chat from claudecode2api with httpx (pip install httpx; Debian: python3-httpx).

Usage: python3 chat.py PROMPT CWD [SESSION_ID]
Environment: GATEWAY_URL (default http://localhost:9876), GATEWAY_AUTH (default admin:password).
"""
import json
import os
import sys

import httpx


def sse_events(lines):
    """Yields (event, data) for each SSE event, as httpx-sse's EventSource.iter_sse() does."""
    event, data = "message", []
    for line in lines:
        line = line.rstrip("\r\n")  # httpx before 0.24 keeps the line ending
        if line == "":  # a blank line ends an event
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
        elif not line.startswith(":"):  # ": keepalive" is a comment
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)


def main():
    url = os.environ.get("GATEWAY_URL", "http://localhost:9876")
    user, _, password = os.environ.get("GATEWAY_AUTH", "admin:password").partition(":")
    body = {"prompt": sys.argv[1], "cwd": sys.argv[2]}
    if len(sys.argv) > 3:
        body["session_id"] = sys.argv[3]
    # No read timeout: a chat may be silent for minutes (the gateway sends a keepalive every 15 s).
    with httpx.Client(auth=(user, password), timeout=httpx.Timeout(30, read=None)) as client:
        with client.stream("POST", f"{url}/chat", json=body) as response:
            if response.status_code != 200:
                error = json.loads(response.read())["error"]
                print(f"{response.status_code} {error['code']}: {error['message']}", file=sys.stderr)
                return 1
            # DELETE {url}/chat/<this id> cancels the chat from anywhere.
            print("process", response.headers["X-Process-ID"], file=sys.stderr)
            failed = False
            for event, data in sse_events(response.iter_lines()):
                if event == "message":
                    line = json.loads(data)  # one stream-json line of the CLI, as printed
                    if line.get("subtype") == "init":
                        print("session", line["session_id"])
                    print(line.get("type"), len(data), "chars")
                elif event == "error":
                    failed = True
                    print("error:", json.loads(data)["message"], file=sys.stderr)
                elif event == "done":
                    print("done", data)
            return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
