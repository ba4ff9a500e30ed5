{
  description = "pip-guard: a drop-in pip for Nix users (Nix packages first, pip last)";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      cargoToml = builtins.fromTOML (builtins.readFile ./Cargo.toml);
    in
    {
      packages = forAllSystems (pkgs: {
        default = pkgs.rustPlatform.buildRustPackage {
          pname = "pip-guard";
          inherit (cargoToml.package) version;
          src = pkgs.lib.cleanSource ./.;
          cargoLock.lockFile = ./Cargo.lock;

          nativeBuildInputs = [ pkgs.installShellFiles ];

          # The test suite needs pip 26.3 from PyPI, bash, zsh, fish and
          # nix-instantiate (tests/setup.sh installs them); not in the sandbox.
          doCheck = false;

          # Completions and the man page come from the binary's own CLI definition.
          postInstall = pkgs.lib.optionalString (pkgs.stdenv.buildPlatform.canExecute pkgs.stdenv.hostPlatform) ''
            installShellCompletion --cmd pip-guard \
              --bash <($out/bin/pip-guard completions bash) \
              --zsh <($out/bin/pip-guard completions zsh) \
              --fish <($out/bin/pip-guard completions fish)
            $out/bin/pip-guard man > pip-guard.1
            installManPage pip-guard.1
            install -Dm644 shell/pip-guard.bash shell/pip-guard.zsh shell/pip-guard.fish -t $out/share/pip-guard
          '';

          meta = {
            description = cargoToml.package.description;
            license = pkgs.lib.licenses.mit;
            mainProgram = "pip-guard";
          };
        };
      });

      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${pkgs.stdenv.hostPlatform.system}.default}/bin/pip-guard";
        };
      });

      # home-manager: imports = [ pip-guard.homeManagerModules.default ];
      # programs.pip-guard.enable = true;
      homeManagerModules.default =
        { pkgs, lib, ... }:
        {
          imports = [ ./shell/home-manager.nix ];
          programs.pip-guard.package =
            lib.mkDefault
              self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        };

      overlays.default = final: prev: {
        pip-guard = self.packages.${final.stdenv.hostPlatform.system}.default;
      };

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [
            pkgs.cargo
            pkgs.rustc
            pkgs.clippy
            pkgs.rustfmt
            pkgs.python312
            pkgs.bash
            pkgs.zsh
            pkgs.fish
            pkgs.shellcheck
            pkgs.hyperfine
          ];
        };
      });
    };
}
