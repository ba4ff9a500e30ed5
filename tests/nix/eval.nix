# Evaluate flake.nix and shell/home-manager.nix against small stand-ins for
# nixpkgs' lib and pkgs (no nixpkgs, no network, no builds), and return what
# they produce as plain data for tests/nix_parse.rs to check.
#
#   nix-instantiate --eval --strict --json tests/nix/eval.nix --arg isDarwin false
{
  isDarwin ? false,
  policy ? {
    mode = "enforce";
    allow = [ "internal-*" ];
  },
  shells ? true,
}:
let
  # Only what the two files use, with the same shapes.
  lib = rec {
    genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
    optionalString = cond: s: if cond then s else "";
    cleanSource = p: p;
    licenses.mit = "mit";
    mkDefault = v: v;
    getExe = drv: "${drv}/bin/${drv.meta.mainProgram}";
    mkOption = attrs: { _option = true; } // attrs;
    mkEnableOption = what: mkOption { type = types.bool; default = false; description = "Whether to enable ${what}."; };
    literalExpression = text: { _literal = text; };
    types = {
      package = "package";
      bool = "bool";
    };
    mkIf = condition: content: { _if = condition; inherit content; };
    mkMerge = contents: { _merge = contents; };
  };

  mkPkgs = system: {
    inherit lib;
    stdenv = {
      hostPlatform = {
        inherit system isDarwin;
      };
      buildPlatform.canExecute = _: true;
    };
    rustPlatform.buildRustPackage = args: args // { outPath = "/nix/store/0000-pip-guard-${args.version}"; };
    installShellFiles = "installShellFiles";
    formats.toml = _: {
      type = "toml";
      generate = name: value: "generated ${name}: ${builtins.toJSON value}";
    };
    mkShell = args: args;
    cargo = "cargo"; rustc = "rustc"; clippy = "clippy"; rustfmt = "rustfmt";
    python312 = "python312"; bash = "bash"; zsh = "zsh"; fish = "fish";
    shellcheck = "shellcheck"; hyperfine = "hyperfine";
  };

  nixpkgs = {
    lib = lib;
    legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ] mkPkgs;
  };

  flake = (import ../../flake.nix).outputs {
    self = flake;
    inherit nixpkgs;
  };
  pkg = flake.packages.x86_64-linux.default;
  pkgs = mkPkgs "x86_64-linux";

  # Resolve mkIf / mkMerge the way the module system would, for a single module.
  resolve =
    v:
    if builtins.isAttrs v && v ? _if then
      (if v._if then resolve v.content else null)
    else if builtins.isAttrs v && v ? _merge then
      builtins.foldl' (acc: x: merge acc (resolve x)) { } v._merge
    else if builtins.isAttrs v && !(v ? outPath) then
      builtins.mapAttrs (_: resolve) v
    else
      v;
  merge =
    a: b:
    if b == null then
      a
    else
      a // builtins.mapAttrs (k: v: if a ? ${k} && builtins.isAttrs a.${k} && builtins.isAttrs v then merge a.${k} v else v) b;

  # The flake's home-manager module (it imports shell/home-manager.nix and
  # defaults the package to the flake's).
  flakeModule = flake.homeManagerModules.default { inherit pkgs lib; };
  module = import ../../shell/home-manager.nix {
    inherit pkgs lib;
    config.programs.pip-guard = {
      enable = true;
      package = pkg;
      inherit policy;
      enableBashIntegration = shells;
      enableZshIntegration = shells;
      enableFishIntegration = shells;
    };
  };
  config = resolve module.config;
  options = module.options.programs.pip-guard;
in
{
  flake = {
    systems = builtins.attrNames flake.packages;
    pname = pkg.pname;
    version = pkg.version;
    lockFile = toString pkg.cargoLock.lockFile;
    postInstall = pkg.postInstall;
    mainProgram = pkg.meta.mainProgram;
    doCheck = pkg.doCheck;
    app = flake.apps.x86_64-linux.default;
    moduleImports = map toString flakeModule.imports;
    modulePackage = "${flakeModule.programs.pip-guard.package}";
    overlay = "${(flake.overlays.default pkgs { }).pip-guard}";
  };
  module = {
    options = builtins.attrNames options;
    enableDefault = options.enable.default;
    policyDefault = options.policy.default;
    packages = map toString config.home.packages;
    bash = config.programs.bash.initExtra or null;
    zsh = config.programs.zsh.initContent or null;
    fish = config.programs.fish.interactiveShellInit or null;
    xdgPolicy = config.xdg.configFile."pip-guard/policy.toml".source or null;
    darwinPolicy = config.home.file."Library/Application Support/pip-guard/policy.toml".source or null;
  };
}
