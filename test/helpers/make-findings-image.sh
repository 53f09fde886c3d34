#!/bin/bash
# Builds an OCI image (layout OUTDIR/L, tag `t`) with what the analyses look
# for, made by real tools: umoci repack writes layers 0-2 (and their
# whiteouts), Python's tarfile crafts layer 3 (an opaque directory), apt-get
# fills a real package cache from a local repository (dpkg-deb built the
# package), gcore dumps a real process, ssh-keygen and openssl make the keys.
#
#   layer 0  setuid/setgid/world-writable files, a world-writable directory,
#            /tmp files, editor backups, a core dump, duplicated files, a hard
#            link, apt lists and a cached .deb, /data/old/* (hidden later)
#   layer 1  secrets (SSH key, AWS, Docker, npm, .env, GitHub token, an RSA
#            key that stays), a chmod that stores /opt/b/lib.bin again
#   layer 2  deletes or replaces the layer-1 secrets but server.key
#   layer 3  /data made opaque, a GCP service-account key, Slack and GitLab tokens
#
# Also: OUTDIR/final (umoci unpack of t), OUTDIR/at0 and OUTDIR/at2 (of the
# image after layers 0 and 2), OUTDIR/layers/N (each layer tar extracted by
# GNU tar) and OUTDIR/tokens.env (the fake secrets, to check masking).
# Usage: make-findings-image.sh OUTDIR
set -euo pipefail
umask 022
out=$1
rm -rf "$out" && mkdir -p "$out" && cd "$out"
export SOURCE_DATE_EPOCH=1735689600

# Fake credentials, random but in the real formats (never documentation examples).
rand() { LC_ALL=C tr -dc "$1" </dev/urandom | head -c "$2" || true; } # tr ends on SIGPIPE
AWS_KEY_ID="AKIA$(rand 'A-Z2-7' 16)"
AWS_SECRET=$(rand 'A-Za-z0-9' 40)
GITHUB_TOKEN="ghp_$(rand 'A-Za-z0-9' 36)"
GITLAB_TOKEN="glpat-$(rand 'A-Za-z0-9' 20)"
SLACK_TOKEN="xoxb-$(rand '0-9' 12)-$(rand '0-9' 12)-$(rand 'A-Za-z0-9' 24)"
NPM_TOKEN="npm_$(rand 'A-Za-z0-9' 36)"
DB_PASSWORD=$(rand 'A-Za-z0-9' 24)
printf 'AWS_KEY_ID=%s\nAWS_SECRET=%s\nGITHUB_TOKEN=%s\nGITLAB_TOKEN=%s\nSLACK_TOKEN=%s\nNPM_TOKEN=%s\nDB_PASSWORD=%s\n' \
  "$AWS_KEY_ID" "$AWS_SECRET" "$GITHUB_TOKEN" "$GITLAB_TOKEN" "$SLACK_TOKEN" "$NPM_TOKEN" "$DB_PASSWORD" >tokens.env

umoci init --layout L >/dev/null
umoci new --image L:t
umoci unpack --image L:t B >/dev/null
R=B/rootfs

# Layer 0.
mkdir -p $R/usr/bin $R/srv/drop $R/tmp $R/etc $R/var/crash $R/opt/a $R/opt/b $R/opt/c $R/data/old $R/root $R/app
head -c 5000 /dev/urandom >$R/usr/bin/tool && chmod 4755 $R/usr/bin/tool
head -c 4000 /dev/urandom >$R/usr/bin/grp && chmod 2755 $R/usr/bin/grp
echo shared >$R/srv/shared-file && chmod 0666 $R/srv/shared-file
chmod 0777 $R/srv/drop
chmod 1777 $R/tmp && echo 'build output' >$R/tmp/build.log
echo 'listen 80' >$R/etc/app.conf && echo 'listen 8080' >$R/etc/app.conf~ && head -c 1024 /dev/urandom >$R/etc/.app.conf.swp
printf 'root:x:0:0:root:/root:/bin/sh\nadmin:x:0:0::/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n' >$R/etc/passwd
sleep 60 & sleeper=$!
gcore -o $R/var/crash/core $sleeper >/dev/null 2>&1
kill $sleeper
head -c 3000 /dev/urandom >$R/opt/a/lib.bin
cp $R/opt/a/lib.bin $R/opt/b/lib.bin
ln $R/opt/a/lib.bin $R/opt/a/lib-link.bin
head -c 3000 /dev/urandom >$R/opt/c/same-size.bin
for i in 1 2 3; do head -c $((i * 700)) /dev/urandom >$R/data/old/file$i; done

# A real apt run, offline: a package built by dpkg-deb in a local `copy:` repository.
mkdir -p apt/pkg/DEBIAN apt/pkg/usr/share/doc/tarsier-demo apt/repo apt/etc
mkdir -p $R/var/lib/apt/lists/partial $R/var/cache/apt/archives/partial
printf 'Package: tarsier-demo\nVersion: 1.0\nArchitecture: all\nMaintainer: Tarsier tests <tests@example.invalid>\nDescription: a package made by the tests\n' >apt/pkg/DEBIAN/control
head -c 20000 /dev/urandom | base64 >apt/pkg/usr/share/doc/tarsier-demo/README
dpkg-deb --root-owner-group --build apt/pkg apt/repo/tarsier-demo_1.0_all.deb >/dev/null
deb=apt/repo/tarsier-demo_1.0_all.deb
{ dpkg-deb --field $deb; echo "Filename: ./tarsier-demo_1.0_all.deb"; echo "Size: $(stat -c %s $deb)"; echo "SHA256: $(sha256sum $deb | cut -d' ' -f1)"; } >apt/repo/Packages
echo "deb [trusted=yes] copy:$PWD/apt/repo ./" >apt/etc/sources.list
touch apt/etc/status
apt_options=(-o "Dir::Etc::SourceList=$PWD/apt/etc/sources.list" -o Dir::Etc::SourceParts=/nonexistent -o Dir::Etc::Parts=/nonexistent
  -o "Dir::State::Lists=$PWD/$R/var/lib/apt/lists" -o "Dir::Cache=$PWD/$R/var/cache/apt" -o "Dir::State::status=$PWD/apt/etc/status"
  -o APT::Sandbox::User=root -o Debug::NoLocking=1)
apt-get "${apt_options[@]}" update -qq >/dev/null
apt-get "${apt_options[@]}" install -qq -y -d tarsier-demo >/dev/null
umoci repack --image L:t B >/dev/null
umoci tag --image L:t at0
rm -rf B && umoci unpack --image L:t B >/dev/null

# Layer 1: secrets.
mkdir -p $R/root/.ssh $R/root/.aws $R/root/.docker $R/etc/ssl/certs
ssh-keygen -q -t ed25519 -N '' -C test -f $R/root/.ssh/id_ed25519
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$AWS_KEY_ID" "$AWS_SECRET" >$R/root/.aws/credentials
printf '{"auths":{"registry.example.com":{"auth":"%s"}}}\n' "$(printf 'robot:%s' "$DB_PASSWORD" | base64 -w0)" >$R/root/.docker/config.json
printf '//registry.npmjs.org/:_authToken=%s\n' "$NPM_TOKEN" >$R/root/.npmrc
printf 'PORT=8080\nDB_PASSWORD=%s\nAPI_TOKEN=${API_TOKEN}\n' "$DB_PASSWORD" >$R/app/.env
printf '{"name":"app","github":"%s"}\n' "$GITHUB_TOKEN" >$R/app/config.json
printf 'registry=https://registry.npmjs.org/\n' >$R/app/.npmrc
openssl genrsa -traditional -out $R/app/server.key 2048 2>/dev/null
openssl req -x509 -key $R/app/server.key -subj /CN=example -days 1 -out $R/etc/ssl/certs/example.pem 2>/dev/null
chmod 0700 $R/opt/b/lib.bin
umoci repack --image L:t B >/dev/null
rm -rf B && umoci unpack --image L:t B >/dev/null

# Layer 2: the usual "cleanup" that hides the secrets but stores them below.
rm $R/root/.ssh/id_ed25519 $R/root/.docker/config.json $R/app/.env $R/app/config.json
rm -r $R/root/.aws
printf 'registry=https://registry.npmjs.org/\n' >$R/root/.npmrc
umoci repack --image L:t B >/dev/null
umoci tag --image L:t at2

# Layer 3, crafted: an opaque /data, a GCP service-account key, tokens in a script.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.pem 2>/dev/null
GITLAB_TOKEN=$GITLAB_TOKEN SLACK_TOKEN=$SLACK_TOKEN python3 - <<'PY'
import io, json, os, tarfile
def add(t, name, data=b'', kind=tarfile.REGTYPE, mode=0o644):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime = kind, mode, 1735689600
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    t.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
key = {'type': 'service_account', 'project_id': 'demo', 'private_key_id': 'abc123',
       'private_key': open('sa.pem').read(), 'client_email': 'ci@demo.iam.gserviceaccount.com'}
script = f"#!/bin/sh\nexport GITLAB={os.environ['GITLAB_TOKEN']}\ncurl -H 'Authorization: Bearer {os.environ['SLACK_TOKEN']}' https://slack.com/api\n"
with tarfile.open('layer3.tar', 'w', format=tarfile.PAX_FORMAT) as t:
    add(t, 'data/', kind=tarfile.DIRTYPE, mode=0o755)
    add(t, 'data/.wh..wh..opq')
    add(t, 'data/new.txt', b'fresh data\n')
    add(t, 'app/', kind=tarfile.DIRTYPE, mode=0o755)
    add(t, 'app/gcp-credentials.json', json.dumps(key, indent=2).encode())
    add(t, 'app/deploy.sh', script.encode(), mode=0o755)
PY
umoci raw add-layer --image L:t layer3.tar

umoci unpack --image L:t final >/dev/null
umoci unpack --image L:at0 at0 >/dev/null
umoci unpack --image L:at2 at2 >/dev/null
# Each layer extracted on its own by GNU tar (the duplicates reference).
i=0
while read -r digest; do
  mkdir -p layers/$i
  blob=L/blobs/sha256/${digest#sha256:}
  tar --no-same-owner -xzf "$blob" -C layers/$i 2>/dev/null || tar --no-same-owner -xf "$blob" -C layers/$i
  i=$((i + 1))
done < <(jq -r '.layers[].digest' "L/blobs/sha256/$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "t") | .digest' L/index.json | cut -d: -f2)")
