import { KubectlV36Layer } from '@aws-cdk/lambda-layer-kubectl-v36';
import { aws_eks_v2 as eks, aws_lambda as lambda } from 'aws-cdk-lib';
import { Construct } from 'constructs';

const VERSION_PATTERN = /^1\.(\d+)$/;

/**
 * A Kubernetes version together with the Lambda layer that brings a matching `kubectl` and `helm` to the
 * cluster's kubectl handler. A version can only be chosen with its layer, so a mismatch is impossible.
 *
 * @example
 * // The default: Kubernetes 1.36 with `@aws-cdk/lambda-layer-kubectl-v36`.
 * const v136 = SupabaseKubernetesVersion.V1_36;
 * // Another version with a layer you bring (for example from `@aws-cdk/lambda-layer-kubectl-v35`):
 * declare const kubectlV35Layer: lambda.ILayerVersion;
 * const v135 = SupabaseKubernetesVersion.of('1.35', kubectlV35Layer);
 */
export class SupabaseKubernetesVersion {
  /** Kubernetes 1.36 with the `@aws-cdk/lambda-layer-kubectl-v36` layer (kubectl 1.36 and helm). */
  public static readonly V1_36 = new SupabaseKubernetesVersion('1.36', undefined, (scope, id) => new KubectlV36Layer(scope, id));

  /**
   * A Kubernetes version with the kubectl layer that matches it, e.g. `KubectlV35Layer` from
   * `@aws-cdk/lambda-layer-kubectl-v35` for '1.35'.
   *
   * @param version the Kubernetes minor version, such as '1.35'
   * @param kubectlLayer a Lambda layer with a `kubectl` of the same minor version and `helm`
   */
  public static of(version: string, kubectlLayer: lambda.ILayerVersion): SupabaseKubernetesVersion {
    if (!VERSION_PATTERN.test(version)) {
      throw new Error(`SupabaseKubernetesVersion: version '${version}' is not a Kubernetes minor version. Pass one such as '1.35'.`);
    }
    return new SupabaseKubernetesVersion(version, kubectlLayer, undefined);
  }

  /** The Kubernetes minor version, such as '1.36'. */
  public readonly version: string;

  /** The same version for `aws-eks-v2`. Built with `KubernetesVersion.of` so that older aws-cdk-lib releases accept it. */
  public readonly kubernetesVersion: eks.KubernetesVersion;

  private readonly layer?: lambda.ILayerVersion;
  private readonly layerFactory?: (scope: Construct, id: string) => lambda.ILayerVersion;

  private constructor(
    version: string,
    layer: lambda.ILayerVersion | undefined,
    layerFactory: ((scope: Construct, id: string) => lambda.ILayerVersion) | undefined,
  ) {
    this.version = version;
    this.kubernetesVersion = eks.KubernetesVersion.of(version);
    this.layer = layer;
    this.layerFactory = layerFactory;
  }

  /** The minor number: 36 for '1.36'. */
  public get minor(): number {
    return Number(VERSION_PATTERN.exec(this.version)![1]);
  }

  /**
   * The kubectl layer: the one given to `of()`, or a new one under `scope`.
   *
   * @internal
   */
  public _kubectlLayer(scope: Construct, id: string): lambda.ILayerVersion {
    return this.layer ?? this.layerFactory!(scope, id);
  }
}
