"""A scripted SSH client for the sshd test of pam_portcullis.so: signs in
with keyboard-interactive, answering each prompt from the command line
(the password, then the code), and prints what the server said and the
outcome. Usage: ssh_client.py HOST PORT USER PASSWORD CODE..."""

import sys

import paramiko


def main() -> int:
    host, port, user, password, *codes = sys.argv[1:]
    transport = paramiko.Transport((host, int(port)))
    transport.start_client(timeout=10)

    def answer(title, instructions, prompts):
        if instructions:
            print("INFO", instructions.strip(), flush=True)
        out = []
        for text, _echo in prompts:
            print("PROMPT", text.strip(), flush=True)
            if "assword" in text:
                out.append(password)
            else:
                out.append(codes.pop(0) if codes else "")
        return out

    try:
        transport.auth_interactive(user, answer)
    except paramiko.AuthenticationException as e:
        print("REFUSED", e, flush=True)
        return 1
    finally:
        ok = transport.is_authenticated()
        transport.close()
    print("AUTHENTICATED" if ok else "REFUSED", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
