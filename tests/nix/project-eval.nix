# Evaluate a project flake written by `pip-guard nixify` against a fake
# nixpkgs that defines only the attrs such a flake may use (lib.genAttrs,
# legacyPackages.<system>.{mkShell, pythonX.withPackages,
# pythonXPackages.{buildPythonPackage, <the test's packages>}, black, ruff}):
# an attr the flake uses and the fixture lacks fails the evaluation.
#
#   nix-instantiate --eval --strict --json tests/nix/project-eval.nix --arg flake /abs/flake.nix
{ flake }:
let
  lib.genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
  names = [ "requests" "numpy" "pytest" "black" "hatchling" "setuptools" "flit-core" "click" "rich" ];
  drv = pname: { type = "derivation"; inherit pname; outPath = "/nix/store/00000000000000000000000000000000-${pname}"; };
  pyset = builtins.listToAttrs (map (n: { name = n; value = drv n; }) names) // {
    buildPythonPackage = args: args // { _builtBy = "buildPythonPackage"; };
  };
  interp = {
    withPackages = f: (drv "python-env") // { packages = map (p: p.pname) (f pyset); };
  };
  mkPkgs = system: {
    mkShell = args: args;
    python3 = interp; python311 = interp; python312 = interp; python313 = interp;
    python3Packages = pyset; python311Packages = pyset; python312Packages = pyset; python313Packages = pyset;
    black = drv "black";
    ruff = drv "ruff";
  };
  nixpkgs = {
    inherit lib;
    legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ] mkPkgs;
  };
  out = (import flake).outputs { self = out; inherit nixpkgs; };
  shell = out.devShells.x86_64-linux.default;
  names' = map (p: p.pname);
in
{
  systems = builtins.attrNames out.devShells;
  shellPackages = names' shell.packages;
  python = (builtins.head shell.packages).packages;
  shellHook = shell.shellHook or null;
  package =
    if out ? packages then
      let pkg = out.packages.x86_64-linux.default; in {
        inherit (pkg) pname version pyproject _builtBy;
        srcType = builtins.typeOf pkg.src;
        build-system = names' pkg.build-system;
        dependencies = names' pkg.dependencies;
        optional-dependencies = builtins.mapAttrs (_: names') (pkg.optional-dependencies or { });
      }
    else null;
}
