import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { build } from './app';

const app = new App();
// Every synth runs cdk-nag's AwsSolutions pack; an unacknowledged error stops it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
build(app);
app.synth();
