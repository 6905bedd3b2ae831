# Finds a JDK whose feature version is at least $1 (POSIX sh, sourced by mvnw and the lanes
# launcher). Prints its home directory, or nothing when there is none.
#
# Order: $JAVA_HOME, the JDK that `java` on the PATH belongs to, then the usual install
# locations (Debian/Ubuntu packages, SDKMAN!, IntelliJ, asdf, macOS). Among the install
# locations the newest suitable JDK wins. The version comes from the JDK's `release` file, so
# no JVM is started.

lanes_jdk_feature() {
  # The feature (major) version of the JDK at $1, or 0 when it is not a usable JDK.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ -r "$1/release" ] || { echo 0; return; }
  v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" | head -n 1)
  echo "${v:-0}"
}

lanes_find_jdk() {
  need=$1
  if [ -n "${JAVA_HOME-}" ] && [ "$(lanes_jdk_feature "$JAVA_HOME")" -ge "$need" ]; then
    echo "$JAVA_HOME"
    return
  fi
  onpath=$(command -v java 2>/dev/null || :)
  if [ -n "$onpath" ]; then
    home=$(cd "$(dirname "$(readlink -f "$onpath" 2>/dev/null || echo "$onpath")")/.." && pwd)
    if [ "$(lanes_jdk_feature "$home")" -ge "$need" ]; then
      echo "$home"
      return
    fi
  fi
  best="" bestv=0 noglob=""
  case $- in *f*) noglob=1 && set +f ;; esac
  for home in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* \
      "${HOME-}"/.sdkman/candidates/java/* "${HOME-}"/.jdks/* "${HOME-}"/.asdf/installs/java/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home \
      "${HOME-}"/Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$home" ] || continue
    v=$(lanes_jdk_feature "$home")
    if [ "$v" -ge "$need" ] && [ "$v" -gt "$bestv" ]; then
      best=$home bestv=$v
    fi
  done
  [ -z "$noglob" ] || set -f
  [ -z "$best" ] || echo "$best"
}
