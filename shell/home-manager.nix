# A home-manager module for pip-guard.
#
# With the flake:
#   imports = [ inputs.pip-guard.homeManagerModules.default ];
# Without it (pip-guard from an overlay or your own derivation):
#   imports = [ ./path/to/pip-guard/shell/home-manager.nix ];
#   programs.pip-guard.package = pkgs.pip-guard;
#
#   programs.pip-guard = {
#     enable = true;
#     policy = {
#       mode = "enforce";
#       allow_pip_fallback = true;
#       allow = [ "internal-*" ];
#     };
#   };
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.programs.pip-guard;
  tomlFormat = pkgs.formats.toml { };
  exe = lib.getExe cfg.package;
  # pip-guard reads its user policy from the platform's config dir
  # (the `directories` crate): XDG on Linux, Application Support on macOS.
  policyFile = tomlFormat.generate "pip-guard-policy.toml" cfg.policy;
in
{
  options.programs.pip-guard = {
    enable = lib.mkEnableOption "pip-guard, a drop-in pip that suggests Nix packages first";

    package = lib.mkOption {
      type = lib.types.package;
      default = pkgs.pip-guard;
      defaultText = lib.literalExpression "pkgs.pip-guard";
      description = "The pip-guard package (the flake's module sets it for you).";
    };

    policy = lib.mkOption {
      type = tomlFormat.type;
      default = { };
      example = lib.literalExpression ''
        {
          mode = "enforce";
          allow_pip_fallback = true;
          allow = [ "internal-*" ];
          deny = [ { pattern = "torch"; reason = "use python312Packages.torch"; } ];
        }
      '';
      description = ''
        The user policy, written as TOML to pip-guard/policy.toml in the
        config dir (see docs/policy.md for the keys). Empty: no file.
      '';
    };

    enableBashIntegration = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Route pip, pip3, pip3.N and python -m pip through pip-guard in bash.";
    };

    enableZshIntegration = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Route pip, pip3, pip3.N and python -m pip through pip-guard in zsh.";
    };

    enableFishIntegration = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Route pip, pip3, pip3.N and python -m pip through pip-guard in fish.";
    };
  };

  config = lib.mkIf cfg.enable (
    lib.mkMerge [
      {
        home.packages = [ cfg.package ];

        programs.bash.initExtra = lib.mkIf cfg.enableBashIntegration ''
          eval "$(${exe} init bash)"
        '';

        programs.zsh.initContent = lib.mkIf cfg.enableZshIntegration ''
          eval "$(${exe} init zsh)"
        '';

        programs.fish.interactiveShellInit = lib.mkIf cfg.enableFishIntegration ''
          ${exe} init fish | source
        '';
      }

      (lib.mkIf (cfg.policy != { } && !pkgs.stdenv.hostPlatform.isDarwin) {
        xdg.configFile."pip-guard/policy.toml".source = policyFile;
      })

      (lib.mkIf (cfg.policy != { } && pkgs.stdenv.hostPlatform.isDarwin) {
        home.file."Library/Application Support/pip-guard/policy.toml".source = policyFile;
      })
    ]
  );
}
