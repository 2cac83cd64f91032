/// The shell side of the sandbox: the steps that must run inside the new namespaces (mounts,
/// hostname, `pivot_root`, the pid-1 reaper loop). The runtime writes it into its state directory
/// and runs it with `/bin/sh`; every value arrives as a separate argument, so nothing is ever
/// re-parsed by a shell. POSIX sh only (Debian's dash).
enum SandboxScript {
    /// The file name inside the runtime's state directory.
    static let fileName = "cubicle-sandbox.sh"

    /// The script.
    static let text = #"""
    #!/bin/sh
    # Cubicle pod sandbox helper. Written by Cubicle's pod runtime on every start; edits are lost.
    #
    #   cgexec PROCS_FILE... -- COMMAND...    join cgroups, then exec COMMAND
    #   infra ROOTFS UPPER WORK HOSTNAME LAYOUT TTYGID STEP...
    #         the pod's pid 1: builds the root filesystem, reports "ready <host pid>" on fd 3,
    #         then holds the namespaces and reaps orphans until it is killed
    #         steps: hide PATH | unlink PATH | bind SRC DST ro|rw dir|file
    #   probe DIR LAYOUT                      try the mounts a sandbox needs; prints "ok"
    #
    # LAYOUT root: one overlay with lowerdir=/ (needs real root).
    # LAYOUT dirs: a tmpfs root with one overlay per top-level directory (works in a user
    #              namespace, where / cannot be an overlay lower layer because of its submounts).

    die() { printf 'cubicle-sandbox: %s\n' "$*" >&2; exit 1; }
    warn() { printf 'cubicle-sandbox: warning: %s\n' "$*" >&2; }
    run() { "$@" || die "failed: $*"; }

    # Refuses a path inside the new root whose existing components include a symlink, so that
    # creating a mount point never follows a link out of the pod onto the host.
    check_target() {
        ct_root=$1 ct_path=$2 ct_prefix=
        ct_ifs=$IFS
        IFS=/
        set -f
        for ct_part in $ct_path; do
            [ -n "$ct_part" ] || continue
            ct_prefix="$ct_prefix/$ct_part"
            if [ -L "$ct_root$ct_prefix" ]; then
                IFS=$ct_ifs
                set +f
                die "mount target $ct_path crosses a symbolic link at $ct_prefix"
            fi
        done
        IFS=$ct_ifs
        set +f
    }

    mount_dirs() {
        md_root=$1 md_upper=$2 md_work=$3
        run mount -t tmpfs -o mode=0755 cubicle-root "$md_root"
        for md_entry in /* /.[!.]* /..?*; do
            [ -e "$md_entry" ] || [ -L "$md_entry" ] || continue
            md_name=${md_entry#/}
            if [ -L "$md_entry" ]; then
                run ln -s "$(readlink "$md_entry")" "$md_root/$md_name"
                continue
            fi
            case $md_name in
            proc|sys|dev|tmp|run) run mkdir "$md_root/$md_name"; continue ;;
            esac
            if [ -d "$md_entry" ]; then
                run mkdir "$md_root/$md_name"
                case $md_name in
                *,*|*:*|*\\*) md_overlay=no ;;
                *) md_overlay=yes ;;
                esac
                # The upper directory's mode becomes the mode of the mounted directory.
                if [ $md_overlay = yes ] && mkdir -p "$md_upper/$md_name" "$md_work/$md_name" &&
                    chmod --reference="$md_entry" "$md_upper/$md_name" &&
                    mount -t overlay overlay \
                        -o "lowerdir=$md_entry,upperdir=$md_upper/$md_name,workdir=$md_work/$md_name,userxattr" \
                        "$md_root/$md_name" 2>/dev/null; then
                    continue
                fi
                # Directories with submounts cannot be a lower layer here: show them read-only.
                run mount --rbind "$md_entry" "$md_root/$md_name"
                mount -o remount,bind,ro "$md_root/$md_name" 2>/dev/null || warn "$md_entry is shared writable"
            else
                : > "$md_root/$md_name" || die "cannot create $md_name"
                run mount --bind "$md_entry" "$md_root/$md_name"
                mount -o remount,bind,ro "$md_root/$md_name" 2>/dev/null || true
            fi
        done
    }

    mount_dev() {
        dv_dev=$1 dv_ttygid=$2
        run mount -t tmpfs -o nosuid,noexec,mode=0755,size=1m cubicle-dev "$dv_dev"
        for dv_node in null zero full random urandom tty; do
            : > "$dv_dev/$dv_node" || die "cannot create /dev/$dv_node"
            run mount --bind "/dev/$dv_node" "$dv_dev/$dv_node"
        done
        run mkdir -p "$dv_dev/pts" "$dv_dev/shm"
        dv_opts=newinstance,ptmxmode=0666,mode=0620,nosuid,noexec
        [ -z "$dv_ttygid" ] || dv_opts="$dv_opts,gid=$dv_ttygid"
        run mount -t devpts -o "$dv_opts" devpts "$dv_dev/pts"
        run ln -s pts/ptmx "$dv_dev/ptmx"
        run ln -s /proc/self/fd "$dv_dev/fd"
        run ln -s /proc/self/fd/0 "$dv_dev/stdin"
        run ln -s /proc/self/fd/1 "$dv_dev/stdout"
        run ln -s /proc/self/fd/2 "$dv_dev/stderr"
        run mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$dv_dev/shm"
    }

    hide() {
        check_target "$1" "$2"
        [ -d "$1$2" ] || return 0
        run mount -t tmpfs -o nosuid,nodev,noexec,mode=0755,size=16k cubicle-hidden "$1$2"
    }

    unlink_link() {
        check_target "$1" "${2%/*}"
        if [ -L "$1$2" ]; then run rm -f "$1$2"; fi
    }

    bind() {
        bd_root=$1 bd_src=$2 bd_dst=$3 bd_mode=$4 bd_kind=$5
        check_target "$bd_root" "$bd_dst"
        if [ "$bd_kind" = file ]; then
            bd_parent=${bd_dst%/*}
            [ -z "$bd_parent" ] || run mkdir -p "$bd_root$bd_parent"
            [ -e "$bd_root$bd_dst" ] || : > "$bd_root$bd_dst" || die "cannot create mount point $bd_dst"
        else
            run mkdir -p "$bd_root$bd_dst"
        fi
        run mount --bind "$bd_src" "$bd_root$bd_dst"
        if [ "$bd_mode" = ro ]; then
            run mount -o remount,bind,ro "$bd_root$bd_dst"
        fi
    }

    infra() {
        [ $# -ge 6 ] || die "infra: missing arguments"
        rootfs=$1 upper=$2 work=$3 hostname=$4 layout=$5 ttygid=$6
        shift 6
        # `read` is a builtin, so /proc/self is this shell as the host's /proc sees it.
        read -r hostpid rest < /proc/self/stat || die "cannot read /proc/self/stat"
        run mount --make-rprivate /
        case $layout in
        root) run mount -t overlay overlay -o "lowerdir=/,upperdir=$upper,workdir=$work" "$rootfs" ;;
        dirs) mount_dirs "$rootfs" "$upper" "$work" ;;
        *) die "unknown layout $layout" ;;
        esac
        run mount -t proc -o nosuid,nodev,noexec proc "$rootfs/proc"
        if [ "$layout" = root ]; then
            run mount --bind /sys "$rootfs/sys"
        else
            run mount --rbind /sys "$rootfs/sys"
        fi
        mount -o remount,bind,ro "$rootfs/sys" 2>/dev/null || warn "/sys stays writable"
        mount_dev "$rootfs/dev" "$ttygid"
        run mount -t tmpfs -o nosuid,nodev,mode=1777 cubicle-tmp "$rootfs/tmp"
        run mount -t tmpfs -o nosuid,nodev,mode=0755 cubicle-run "$rootfs/run"
        while [ $# -gt 0 ]; do
            case $1 in
            hide)
                [ $# -ge 2 ] || die "hide: missing path"
                hide "$rootfs" "$2"
                shift 2 ;;
            unlink)
                [ $# -ge 2 ] || die "unlink: missing path"
                unlink_link "$rootfs" "$2"
                shift 2 ;;
            bind)
                [ $# -ge 5 ] || die "bind: missing arguments"
                bind "$rootfs" "$2" "$3" "$4" "$5"
                shift 5 ;;
            *) die "unknown step: $1" ;;
            esac
        done
        hostname "$hostname" 2>/dev/null || printf '%s' "$hostname" > /proc/sys/kernel/hostname ||
            die "cannot set the hostname"
        cd "$rootfs" || die "cannot enter $rootfs"
        run pivot_root . .
        run umount -l .
        cd / || die "cannot enter the new root"
        printf 'ready %s\n' "$hostpid" >&3 || die "cannot report readiness"
        exec 3>&-
        trap '' HUP INT TERM
        # The namespace holder. As pid 1, dash's `wait` also reaps re-parented orphans.
        while :; do
            sleep 2147483647 &
            wait
        done
    }

    cgexec() {
        while [ $# -gt 0 ] && [ "$1" != -- ]; do
            printf '%s\n' "$$" > "$1" || die "cannot join cgroup $1"
            shift
        done
        [ $# -gt 0 ] && shift
        [ $# -gt 0 ] || die "cgexec: missing command"
        exec "$@"
    }

    probe() {
        [ $# -ge 2 ] || die "probe: missing arguments"
        pr_dir=$1 pr_layout=$2
        run mkdir -p "$pr_dir/upper" "$pr_dir/work" "$pr_dir/root" "$pr_dir/proc" "$pr_dir/pts"
        run mount --make-rprivate /
        if [ "$pr_layout" = root ]; then
            run mount -t overlay overlay -o "lowerdir=/,upperdir=$pr_dir/upper,workdir=$pr_dir/work" "$pr_dir/root"
        else
            run mount -t overlay overlay \
                -o "lowerdir=/etc,upperdir=$pr_dir/upper,workdir=$pr_dir/work,userxattr" "$pr_dir/root"
        fi
        run mount -t proc proc "$pr_dir/proc"
        run mount -t devpts -o newinstance,ptmxmode=0666 devpts "$pr_dir/pts"
        hostname cubicle-probe 2>/dev/null || printf 'cubicle-probe' > /proc/sys/kernel/hostname ||
            die "cannot set the hostname"
        # Clean up from inside, where the overlay's work files (mode 000, owned by the mapped
        # root) can still be removed.
        umount "$pr_dir/root" "$pr_dir/proc" "$pr_dir/pts" 2>/dev/null
        rm -rf "$pr_dir/upper" "$pr_dir/work"
        printf 'ok\n'
    }

    command=${1:-}
    [ $# -gt 0 ] && shift
    case $command in
    infra) infra "$@" ;;
    cgexec) cgexec "$@" ;;
    probe) probe "$@" ;;
    *) die "usage: $0 infra|cgexec|probe ..." ;;
    esac

    """#
}
