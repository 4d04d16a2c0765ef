import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PORTS } from '../../private/ports';
import { ANY_IPV4, ServiceChartProps, plainEnv } from '../private/chart-props';
import { imageUser } from '../private/image-contract';
import { addServicePolicy, addSupabaseService, httpProbe, resources, startupProbe } from '../private/service';

/**
 * imgproxy on port 5001: resizes and converts images for the Storage API, which hands it a presigned HTTPS URL of
 * the object in S3 (so imgproxy needs HTTPS egress, and no credentials or shared volume).
 */
export class ImgproxyChart extends Chart {
  constructor(scope: Construct, id: string, props: ServiceChartProps) {
    super(scope, id, { namespace: props.namespace });
    const port = PORTS.imgproxy;
    addSupabaseService(this, {
      name: 'imgproxy',
      image: props.image,
      ports: [{ name: 'http', port }],
      env: plainEnv({
        IMGPROXY_BIND: `:${port}`,
        IMGPROXY_USE_ETAG: 'true',
        IMGPROXY_AUTO_WEBP: 'true',
        IMGPROXY_MAX_SRC_RESOLUTION: '16.8',
      }),
      readiness: httpProbe('/health', port),
      liveness: httpProbe('/health', port, { failureThreshold: 6 }),
      startup: startupProbe('/health', port, 60),
      resources: resources(100, 2000, 256, 1024),
      ...imageUser('imgproxy'),
      // libvips' font configuration cache (text in SVGs).
      writablePaths: [{ name: 'tmp', path: '/tmp' }, { name: 'fontconfig', path: '/var/cache/fontconfig' }],
      extraEnv: props.extraEnv,
      scaling: props.scaling,
    });
    addServicePolicy(this, 'imgproxy', {
      ingress: [{ peer: { service: 'storage' }, ports: [port] }],
      // The presigned S3 URLs.
      egress: [{ peer: { cidr: ANY_IPV4 }, ports: [443] }],
    });
  }
}
