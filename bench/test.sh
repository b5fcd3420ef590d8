#!/usr/bin/env bash
# `dotnet orchestra test` against `dotnet test` of a solution holding the same test projects (issue 11), in one run:
# 3 services, each with an xunit test project (VSTest). Cold: bin/ and obj/ of every project removed (and
# Orchestra's fingerprints with them), restore from the warm NuGet cache. Unchanged: the same again, nothing touched.
# Prints the medians and the ratios. Targets: cold <= 1.0, unchanged <= 0.5.
# Usage: bench/test.sh [repeats=3]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPEATS=${1:-3}

build_tool
WS=$(new_workspace testbench)
cd "$WS"
for s in alpha beta gamma; do
  mkdir -p "$s/$s.Tests"
  printf 'command: ["sleep", "600"]\ntests: [%s.Tests]\n' "$s" >"$s/service.yml"
  cat >"$s/$s.Tests/$s.Tests.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings><IsTestProject>true</IsTestProject></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.0.1" />
    <PackageReference Include="xunit" Version="2.9.3" />
    <PackageReference Include="xunit.runner.visualstudio" Version="3.1.5" />
  </ItemGroup>
</Project>
XML
  cat >"$s/$s.Tests/Tests.cs" <<CS
public class ${s^}Tests
{
    [Xunit.Fact] public void Adds() => Xunit.Assert.Equal(4, 2 + 2);
    [Xunit.Theory, Xunit.InlineData(1), Xunit.InlineData(2), Xunit.InlineData(3)] public void Counts(int n) => Xunit.Assert.True(n > 0);
}
CS
done
dotnet new sln -n tests -o . >/dev/null
dotnet sln tests.slnx add alpha/alpha.Tests beta/beta.Tests gamma/gamma.Tests >/dev/null 2>&1 || dotnet sln tests.sln add alpha/alpha.Tests beta/beta.Tests gamma/gamma.Tests >/dev/null
SLN=$(ls tests.sln* | head -1)

clean() { rm -rf */*.Tests/bin */*.Tests/obj .orchestra; }
timed() { local start end; start=$(now); "$@" >/dev/null 2>&1; end=$(now); elapsed "$start" "$end"; }

echo "== warming the NuGet cache (not timed)"
dotnet test "$SLN" >/dev/null 2>&1
ours_cold=() theirs_cold=() ours_warm=() theirs_warm=()
for ((i = 0; i < REPEATS; i++)); do
  clean; ours_cold+=("$(timed "$ORCHESTRA" test)")
  ours_warm+=("$(timed "$ORCHESTRA" test)")
  clean; theirs_cold+=("$(timed dotnet test "$SLN")")
  theirs_warm+=("$(timed dotnet test "$SLN")")
done
"$ORCHESTRA" stop >/dev/null 2>&1 || true
oc=$(median "${ours_cold[@]}") tc=$(median "${theirs_cold[@]}") ow=$(median "${ours_warm[@]}") tw=$(median "${theirs_warm[@]}")
printf 'cold:      orchestra test %.2f s   dotnet test %.2f s   ratio %.2f\n' "$oc" "$tc" "$(awk -v a="$oc" -v b="$tc" 'BEGIN{print a/b}')"
printf 'unchanged: orchestra test %.2f s   dotnet test %.2f s   ratio %.2f\n' "$ow" "$tw" "$(awk -v a="$ow" -v b="$tw" 'BEGIN{print a/b}')"
